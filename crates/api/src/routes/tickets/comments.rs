//! `POST /api/v1/tickets/{number}/comments`: public comments (the requester sees them)
//! and internal ones (RA staff only).

use actix_web::{HttpResponse, web};
use certdesk_domain::text::{FreeText, MAX_DESCRIPTION_CHARS};
use certdesk_domain::{Message, Problem};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::visible_ticket;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({ "body": "Mohon unggah ulang pindaian KTP yang lebih jelas.", "internal": false }))]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
    /// Internal comments are for RA staff only.
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentRecorded {
    pub recorded: bool,
}

/// Comment on a ticket.
///
/// Public comments are seen by the requester (and emailed to them when staff write);
/// internal ones only by RA staff.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{number}/comments",
    tag = "lifecycle",
    operation_id = "comment_on_ticket",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The comment is in the ticket's history.", body = CommentRecorded),
        (status = 403, response = crate::openapi::NotPermitted),
        (status = 404, response = crate::openapi::TicketNotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
pub async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible_ticket(&state, &caller, &path).await?;
    if caller.person().is_none() || (body.internal && !caller.is_staff()) {
        return Err(ApiError::Forbidden {
            code: ErrorCode::CommentNotPermitted,
            message: Message::new(
                "Komentar internal hanya untuk petugas RA.",
                "Internal comments are for RA staff only.",
            ),
        });
    }
    let text = if body.body.trim().is_empty() {
        return Err(ApiError::Validation {
            problems: vec![Problem::required("body")],
            warnings: Vec::new(),
        });
    } else {
        FreeText::parse(&body.body, MAX_DESCRIPTION_CHARS).map_err(|e| ApiError::Validation {
            problems: vec![Problem::at("body", &e)],
            warnings: Vec::new(),
        })?
    };
    let capacity = if caller.is_staff() {
        "agent"
    } else if caller.nip() == Some(ticket.requester_nip.as_str()) {
        "requester"
    } else {
        "officer"
    };
    let notify_requester = capacity != "requester";
    state
        .store
        .add_comment(
            ticket.number,
            &caller.history_actor(capacity),
            text.as_str(),
            body.internal,
            notify_requester,
            Utc::now(),
        )
        .await?;
    Ok(HttpResponse::Created().json(CommentRecorded { recorded: true }))
}
