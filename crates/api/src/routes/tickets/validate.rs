//! `POST /api/v1/tickets/validate`: the same checks as intake, nothing stored. A
//! pre-flight for forms and integrators: 200 with every problem found.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Problem;
use serde::Serialize;

use super::intake::{Checked, admit_upload, check, receive};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json_line::JsonLine;
use crate::rate_limits::{Limited, RateLimits};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValidationReport {
    pub valid: bool,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// Check a ticket without filing it.
///
/// The same body and the same checks as filing; nothing is stored. Answers 200 with
/// every problem found, for forms and integrators to check before they file.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/validate",
    tag = "tickets",
    operation_id = "validate_ticket",
    request_body(content = crate::routes::tickets::forms::TicketForm, content_type = "multipart/form-data",
        description = "The ticket's data and its attachments, as for filing."),
    responses(
        (status = 200, description = "The outcome of every check.", body = ValidationReport),
        (status = 408, response = crate::responses::RequestTimeout),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
    )
)]
pub async fn validate(
    state: web::Data<AppState>,
    limits: web::Data<RateLimits>,
    caller: Caller,
    request: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    limits.check(Limited::Validate, &caller, &request)?;
    let _upload = admit_upload(&state, &request)?;
    let received = receive(&request, body, &state.limits).await?;
    let report = match check(&state, received).await? {
        Checked::Accepted { accepted, .. } => ValidationReport {
            valid: true,
            errors: Vec::new(),
            warnings: accepted.warnings,
        },
        Checked::Rejected(rejected) => ValidationReport {
            valid: false,
            errors: rejected.problems,
            warnings: rejected.warnings,
        },
    };
    Ok(HttpResponse::Ok().json_line(report))
}
