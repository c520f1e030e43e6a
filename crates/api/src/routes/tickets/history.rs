//! `GET /api/v1/tickets/{number}/history`: every transition, comment, assignment and
//! attachment download, oldest first. Internal entries are for RA staff.

use actix_web::{HttpResponse, web};
use certdesk_domain::lifecycle::{Capacity, HistoryKind, Status, Visibility, sees_internal};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::visible_ticket;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json_line::JsonLine;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// A NIP, `token:<name>` for an integrator, or `desk` for the desk's own rules
    /// (retention: `attachment_purged`, `nik_erased`).
    pub actor: String,
    /// The capacity they acted in.
    pub actor_role: Capacity,
    pub kind: HistoryKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    /// `internal` entries are seen by RA staff only.
    pub visibility: Visibility,
    /// What else the entry records: a comment's text, an assignee, an attachment's kind.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

/// A ticket's history.
///
/// Every transition, comment, assignment, replacement and attachment download, oldest
/// first. Requesters see the public entries only.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{number}/history",
    tag = "tickets",
    operation_id = "ticket_history",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887")),
    responses(
        (status = 200, description = "The entries, oldest first.", body = Vec<HistoryEntry>),
        (status = 404, response = crate::responses::TicketNotFound),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible_ticket(&state, &caller, &path).await?;
    let internal = caller.person().is_some_and(sees_internal);
    let entries: Vec<HistoryEntry> = state
        .store
        .history(ticket.number, internal)
        .await?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    Ok(HttpResponse::Ok().json_line(entries))
}

impl From<certdesk_store::HistoryRecord> for HistoryEntry {
    fn from(h: certdesk_store::HistoryRecord) -> Self {
        Self {
            at: h.at,
            actor: h.actor,
            actor_role: h.capacity,
            kind: h.kind,
            from_status: h.from_status,
            to_status: h.to_status,
            reason: h.reason,
            visibility: h.visibility,
            detail: h.detail,
        }
    }
}
