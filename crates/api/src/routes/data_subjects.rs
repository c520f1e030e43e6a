//! `POST /api/v1/data-subjects/export` and `/anonymise`: a person's rights under
//! UU 27/2022, exercised through a supervisor. The NIK travels in the body, never in a
//! URL (which ends up in logs and proxies). Both are recorded in the audit.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Nik;
use certdesk_domain::audit::LookKind;
use certdesk_domain::lifecycle::Capacity;
use certdesk_store::{Anonymised, NewLook, SubjectTicket};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tickets::get::TicketResponse;
use super::tickets::history::HistoryEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::json_line::JsonLine;
use crate::looks::look;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSubjectRequest {
    /// The person's NIK, 16 digits.
    #[schema(example = "3174051705900001", pattern = "^[0-9]{16}$")]
    pub nik: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DataSubjectExport {
    /// The NIK asked about, masked.
    #[schema(example = "3174********0001")]
    pub nik: String,
    /// Every ticket held for this person, oldest first; empty when none is.
    pub tickets: Vec<ExportedTicket>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedTicket {
    /// The ticket as staff read it (the NIK in full), with its attachments described.
    pub ticket: TicketResponse,
    /// When it was closed, rejected or cancelled: its retention periods count from here.
    pub ended_at: Option<DateTime<Utc>>,
    /// Its whole history, internal entries included.
    pub history: Vec<HistoryEntry>,
    /// The status emails written to the person (their text is rendered when sent and
    /// not kept).
    pub emails: Vec<ExportedEmail>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedEmail {
    /// The event the email told of, e.g. `ticket_received`.
    pub event: String,
    pub queued_at: DateTime<Utc>,
    /// `pending`, `sending`, `sent`, `dead` or `skipped`.
    pub delivery: String,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnonymisedSubject {
    /// The tickets now anonymised; their numbers, services, dates and history stay.
    pub tickets: Vec<String>,
    /// Attachment files purged by this call (others had gone already).
    pub files_purged: u64,
}

fn parse_nik(request: &DataSubjectRequest) -> Result<Nik, ApiError> {
    Nik::parse(&request.nik).map_err(|rule| ApiError::invalid("nik", &rule))
}

/// A supervisor's look for a data subject's request.
fn subject_look(request: &HttpRequest, caller: &Caller, kind: LookKind) -> NewLook {
    let mut look = look(request, caller, kind, None, None);
    look.actor.capacity = Capacity::Supervisor;
    look
}

/// Export what is held about a person.
///
/// Every ticket filed with this NIK (found by its keyed hash), each with its attachments'
/// descriptions, its whole history and the status emails written to the person.
/// Supervisors only; recorded in the audit (`data_subject_exported`, one row per ticket,
/// or one naming no ticket when none is held).
#[utoipa::path(
    post,
    path = "/api/v1/data-subjects/export",
    tag = "administration",
    operation_id = "export_data_subject",
    request_body = DataSubjectRequest,
    responses(
        (status = 200, description = "Everything held; `tickets` is empty when nothing is.", body = DataSubjectExport),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    body: Json<DataSubjectRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let nik = parse_nik(&body)?;
    let look = subject_look(&request, &caller, LookKind::DataSubjectExported);
    let tickets = state.store.export_subject(&nik, &look, Utc::now()).await?;
    tracing::info!(tickets = tickets.len(), "data subject exported");
    Ok(HttpResponse::Ok().json_line(DataSubjectExport {
        nik: nik.masked(),
        tickets: tickets.into_iter().map(exported).collect(),
    }))
}

fn exported(t: SubjectTicket) -> ExportedTicket {
    ExportedTicket {
        ticket: TicketResponse::new(t.ticket, true),
        ended_at: t.ended_at,
        history: t.history.into_iter().map(HistoryEntry::from).collect(),
        emails: t
            .emails
            .into_iter()
            .map(|e| ExportedEmail {
                event: e.event,
                queued_at: e.queued_at,
                delivery: e.delivery,
                sent_at: e.sent_at,
            })
            .collect(),
    }
}

/// Anonymise a person.
///
/// For a person whose tickets have all ended (closed, rejected or cancelled): their
/// attachments are purged now, and their name, email, NIK, descriptions and requested
/// changes replaced with placeholders; ticket numbers, services, dates and the history's
/// shape stay for the statistics. Refused with 409 while one of their tickets is open.
/// Supervisors only; recorded in the audit and in each ticket's history (`anonymised`).
#[utoipa::path(
    post,
    path = "/api/v1/data-subjects/anonymise",
    tag = "administration",
    operation_id = "anonymise_data_subject",
    request_body = DataSubjectRequest,
    responses(
        (status = 200, description = "Done.", body = AnonymisedSubject),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 404, description = "No ticket is held for this NIK (`data_subject_not_found`).",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "One of the person's tickets has not ended (`data_subject_has_open_tickets`, naming them).",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn anonymise(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    body: Json<DataSubjectRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let nik = parse_nik(&body)?;
    let look = subject_look(&request, &caller, LookKind::DataSubjectAnonymised);
    let actor = look.actor.clone();
    match state
        .store
        .anonymise_subject(&nik, &look, &actor, Utc::now())
        .await?
    {
        Anonymised::NoneHeld => Err(ApiError::DataSubjectNotFound),
        Anonymised::Done {
            tickets,
            files_purged,
        } => {
            tracing::info!(
                tickets = tickets.len(),
                files_purged,
                "data subject anonymised"
            );
            Ok(HttpResponse::Ok().json_line(AnonymisedSubject {
                tickets: tickets.iter().map(ToString::to_string).collect(),
                files_purged,
            }))
        }
    }
}
