//! `POST /api/v1/tickets/{number}/comments`: public comments (the requester sees them)
//! and internal ones (RA staff only).

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::lifecycle::{Refusal, comment};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::visible_ticket;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::json_line::JsonLine;
use crate::rate_limits::{Limited, RateLimits};
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
/// Public comments are seen by everyone who may see the ticket. What RA staff (or the
/// officer) write is emailed to the requester; what the requester (or the officer) writes
/// is emailed to the agent working the ticket. Internal comments are for RA staff only
/// and email nobody.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{number}/comments",
    tag = "lifecycle",
    operation_id = "comment_on_ticket",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The comment is in the ticket's history.", body = CommentRecorded),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 404, response = crate::responses::TicketNotFound),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn add(
    state: web::Data<AppState>,
    limits: web::Data<RateLimits>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<String>,
    body: Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    record(
        &state,
        &limits,
        &caller,
        &request,
        &path,
        &body.body,
        body.internal,
    )
    .await?;
    Ok(HttpResponse::Created().json_line(CommentRecorded { recorded: true }))
}

/// Records a comment by `caller` on ticket `number`: the API's route and the console's
/// form both come here, under the same rate limit and rules.
pub(crate) async fn record(
    state: &AppState,
    limits: &RateLimits,
    caller: &Caller,
    request: &HttpRequest,
    number: &str,
    body: &str,
    internal: bool,
) -> Result<(), ApiError> {
    limits.check(Limited::Comment, caller, request)?;
    let ticket = visible_ticket(state, caller, number).await?;
    // Integration tokens file and read; comments are people's.
    let actor = caller.person_or(|| Refusal::CommentNotPermitted.into())?;
    let decision = comment(actor, &ticket.facts(), body, internal)?;
    state
        .store
        .add_comment(
            ticket.number,
            &caller.history_actor(decision.capacity),
            &decision,
            &state.service_levels,
            Utc::now(),
        )
        .await?;
    Ok(())
}
