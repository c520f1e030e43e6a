//! `GET /api/v1/audit`: every look at personal data, for supervisors. The rows are the
//! database's to keep: nobody, the desk included, can change or delete one.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::{Nip, TicketNumber};
use certdesk_store::AuditOrder;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::paging::{invalid_cursor, link_next, next_link};
use crate::auth::Caller;
use crate::error::{ApiError, FieldRule};
use crate::extract::Query;
use crate::json_line::JsonLine;
use crate::state::AppState;

const PAGE_SIZE: u64 = 50;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Looks at one ticket, e.g. `S00000035887`.
    pub ticket: Option<String>,
    /// Looks by one person (a NIP) or API token (`token:<name>`).
    pub actor: Option<String>,
    /// From this time on (RFC 3339), e.g. `2026-11-01T00:00:00Z`.
    pub from: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Where the page starts: copy it from a `next` link; opaque.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// A NIP, or `token:<name>` for an API token.
    pub actor: String,
    /// The capacity they looked in, e.g. `agent`.
    pub capacity: String,
    /// `attachment_downloaded`, `attachment_refused` (asked for and told "not found") or
    /// `nik_shown` (a NIK shown in full to someone other than its owner).
    #[schema(example = "attachment_downloaded")]
    pub kind: String,
    /// The ticket asked about, when the request named one that reads as a number.
    pub ticket: Option<String>,
    /// What was looked at, e.g. the attachment's kind `ktp_scan`.
    pub detail: Option<String>,
    /// The client's address (behind trusted proxies, the one they name).
    pub client_ip: Option<String>,
    /// The request's id, as its log lines carry it.
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// The URL of the next page; `null` on the last one.
    pub next: Option<String>,
}

/// The audit of looks at personal data.
///
/// Every download of an attachment (and every refused attempt), and every NIK shown in
/// full to someone other than its owner, oldest first. Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "administration",
    operation_id = "list_audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit.", body = AuditPage,
            headers(("Link" = Option<String>, description = "`<next URL>; rel=\"next\"` while more pages follow."))),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let (items, cursor) =
        page(&state, &caller, query.into_inner(), AuditOrder::OldestFirst).await?;
    let next = cursor.map(|cursor| next_link(&request, &cursor));
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next {
        response.insert_header(link_next(next));
    }
    Ok(response.json_line(AuditPage { items, next }))
}

/// A page of the audit as a supervisor asked for it, in `order`, and the cursor of the
/// page after it (the API's oldest first; the console's page, newest first).
pub(crate) async fn page(
    state: &AppState,
    caller: &Caller,
    query: AuditQuery,
    order: AuditOrder,
) -> Result<(Vec<AuditEntry>, Option<String>), ApiError> {
    caller.require_supervisor()?;
    let ticket = match query.ticket.as_deref() {
        Some(raw) => Some(
            raw.parse::<TicketNumber>()
                .map_err(|_| ApiError::invalid("ticket", &FieldRule::TicketNumberFormat))?,
        ),
        None => None,
    };
    let actor = match query.actor {
        Some(actor) if actor.starts_with("token:") && actor.len() <= 255 => Some(actor),
        Some(actor) => Some(
            Nip::parse(&actor)
                .map_err(|_| ApiError::invalid("actor", &FieldRule::AuditActorFormat))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let after = match query.cursor.as_deref() {
        Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| invalid_cursor())?),
        None => None,
    };
    let mut rows = state
        .store
        .audit_page(&certdesk_store::AuditFilter {
            ticket,
            actor,
            from: query.from,
            until: query.until,
            after,
            limit: PAGE_SIZE + 1,
            order,
        })
        .await?;
    let next = if rows.len() as u64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|last| last.id.to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|row| AuditEntry {
            at: row.at,
            actor: row.actor,
            capacity: row.capacity.code().to_owned(),
            kind: row.kind.code().to_owned(),
            ticket: row.ticket.map(|number| number.to_string()),
            detail: row.detail,
            client_ip: row.client_ip,
            request_id: row.request_id,
        })
        .collect();
    Ok((items, next))
}
