//! Tickets: intake, pre-flight validation, reading, actions, comments, history and
//! attachments.

pub mod actions;
pub mod attachment;
pub mod comments;
pub mod create;
pub mod forms;
pub mod get;
pub mod history;
mod intake;
pub mod validate;

use actix_web::HttpRequest;
use actix_web::http::header;
use certdesk_domain::lifecycle::may_see;
use certdesk_domain::{Problem, TicketNumber};
use certdesk_store::TicketRecord;

use crate::auth::{Caller, scope};
use crate::error::ApiError;
use crate::state::AppState;

/// The path to a ticket, as `Location` and links give it.
fn ticket_path(number: TicketNumber) -> String {
    format!("/api/v1/tickets/{number}")
}

/// A ticket number from the path. A malformed one cannot name a ticket: 404, like an
/// unknown one, so that numbers cannot be probed for their format.
fn parse_number(raw: &str) -> Result<TicketNumber, ApiError> {
    raw.parse().map_err(|_| ApiError::TicketNotFound)
}

/// Logs what was refused by code only: values may be personal data.
fn log_rejection(problems: &[Problem]) {
    let codes: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}", p.field, p.code.as_str()))
        .collect();
    tracing::info!(?codes, "ticket refused");
}

/// The ticket, if the caller may see it; 404 otherwise, exactly as for a ticket that
/// does not exist, so that numbers of other people's tickets reveal nothing.
pub(crate) async fn visible_ticket(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<TicketRecord, ApiError> {
    let number = parse_number(raw)?;
    let ticket = state
        .store
        .ticket(number)
        .await?
        .ok_or(ApiError::TicketNotFound)?;
    let visible = match caller {
        Caller::Person(actor) => may_see(actor, &ticket.facts()),
        Caller::Integrator { .. } => caller.has_scope(scope::TICKETS_READ),
    };
    if visible {
        Ok(ticket)
    } else {
        Err(ApiError::TicketNotFound)
    }
}

/// The ticket's ETag: its version, quoted.
fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`; required for every change.
fn if_match(request: &HttpRequest) -> Result<i32, ApiError> {
    let value = request
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::IfMatchRequired)?;
    let version = value.trim().trim_start_matches("W/").trim_matches('"');
    // An unparsable tag can match no version of ours.
    Ok(version.parse().unwrap_or(-1))
}
