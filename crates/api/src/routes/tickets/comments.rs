//! `POST /api/v1/tickets/{number}/comments`: public comments (the requester sees them)
//! and internal ones (RA staff only).

use actix_web::{HttpResponse, web};
use certdesk_domain::text::{FreeText, MAX_DESCRIPTION_CHARS};
use certdesk_domain::{Message, Problem};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::visible_ticket;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
    /// Internal comments are for RA staff only.
    #[serde(default)]
    pub internal: bool,
}

pub async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible_ticket(&state, &caller, &path).await?;
    if caller.person().is_none() || (body.internal && !caller.is_staff()) {
        return Err(ApiError::Forbidden {
            code: "comment_not_permitted",
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
    Ok(HttpResponse::Created().json(json!({ "recorded": true })))
}
