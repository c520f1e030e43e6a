//! `POST /api/v1/tickets/validate`: the same checks as intake, nothing stored. A
//! pre-flight for forms and integrators: 200 with every problem found.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Problem;
use serde::Serialize;

use super::intake::{Checked, check};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct ValidationReport {
    pub valid: bool,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

pub async fn validate(
    state: web::Data<AppState>,
    _caller: Caller,
    request: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    let report = match check(&state, &request, body).await? {
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
    Ok(HttpResponse::Ok().json(report))
}
