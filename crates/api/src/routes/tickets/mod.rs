//! Tickets: intake, pre-flight validation, reading back and attachment downloads.

pub mod attachment;
pub mod create;
pub mod get;
mod intake;
pub mod validate;

use certdesk_domain::{Problem, TicketNumber};

use crate::error::{ApiError, Missing};

/// The path to a ticket, as `Location` and links give it.
fn ticket_path(number: TicketNumber) -> String {
    format!("/api/v1/tickets/{number}")
}

/// A ticket number from the path. A malformed one cannot name a ticket: 404, like an
/// unknown one, so that numbers cannot be probed for their format.
fn parse_number(raw: &str) -> Result<TicketNumber, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(Missing::Ticket))
}

/// Logs what was refused by code only: values may be personal data.
fn log_rejection(problems: &[Problem]) {
    let codes: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}", p.field, p.code.as_str()))
        .collect();
    tracing::info!(?codes, "ticket refused");
}
