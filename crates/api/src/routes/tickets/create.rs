//! `POST /api/v1/tickets`: file a ticket.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Problem;
use certdesk_store::NewTicket;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::intake::{Checked, check};
use super::{log_rejection, ticket_path};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct CreatedResponse {
    pub number: String,
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub href: String,
    /// Things the requester should know; the ticket was filed anyway.
    pub warnings: Vec<Problem>,
}

pub async fn create(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (accepted, attachments) = match check(&state, &request, body).await? {
        Checked::Accepted {
            accepted,
            attachments,
        } => (accepted, attachments),
        Checked::Rejected(rejected) => {
            log_rejection(&rejected.problems);
            return Err(ApiError::Validation {
                problems: rejected.problems,
                warnings: rejected.warnings,
            });
        }
    };
    let created = state
        .store
        .create_ticket(NewTicket {
            submission: &accepted.submission,
            attachments,
        })
        .await?;
    let href = ticket_path(created.number);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, href.clone()))
        .json(CreatedResponse {
            number: created.number.to_string(),
            status: "submitted",
            created_at: created.created_at,
            href,
            warnings: accepted.warnings,
        }))
}
