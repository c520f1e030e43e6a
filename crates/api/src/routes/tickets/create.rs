//! `POST /api/v1/tickets`: file a ticket.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Problem;
use certdesk_store::NewTicket;
use chrono::{DateTime, Utc};
use serde::Serialize;

use certdesk_domain::lifecycle::Status;
use certdesk_domain::routing::{QueueName, RoutingRule, route};
use certdesk_domain::{Language, Message, Service};

use super::intake::{Checked, check};
use super::{etag, log_rejection, ticket_path};
use crate::auth::{Caller, scope};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct CreatedResponse {
    pub number: String,
    pub status: &'static str,
    /// The RA queue the routing rules chose.
    pub queue: String,
    pub created_at: DateTime<Utc>,
    pub href: String,
    /// Things the requester should know; the ticket was filed anyway.
    pub warnings: Vec<Problem>,
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    // An integrator that may not file learns nothing from the checks.
    if matches!(caller, Caller::Integrator { .. }) && !caller.has_scope(scope::TICKETS_WRITE) {
        return Err(filing_not_permitted());
    }
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
    // People file for themselves; integrators' tokens may file for anyone.
    let requester_nip = accepted.submission.requester.nip.as_str();
    let capacity = match &caller {
        Caller::Person(actor) if actor.nip == requester_nip => "requester",
        Caller::Integrator { .. } if caller.has_scope(scope::TICKETS_WRITE) => "integrator",
        _ => return Err(filing_not_permitted()),
    };
    let service = accepted.submission.request.service();
    let rules = routing_rules(&state).await?;
    let default_queue = QueueName::parse(&state.lifecycle.default_queue).map_err(|_| {
        ApiError::Internal(anyhow::anyhow!(
            "lifecycle.default_queue is not a valid queue name"
        ))
    })?;
    let queue = route(
        service,
        &accepted.submission.requester.unit,
        &rules,
        &default_queue,
    );
    let needs_endorsement = state
        .lifecycle
        .endorsement_services
        .iter()
        .any(|code| code == service.code());
    let status = Status::initial(needs_endorsement);
    let created = state
        .store
        .create_ticket(NewTicket {
            submission: &accepted.submission,
            attachments,
            queue,
            status,
            filed_by: &caller.history_actor(capacity),
            language: preferred_language(&request),
        })
        .await?;
    let href = ticket_path(created.number);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, href.clone()))
        .insert_header((header::ETAG, etag(1)))
        .json(CreatedResponse {
            number: created.number.to_string(),
            status: status.code(),
            queue: queue.as_str().to_owned(),
            created_at: created.created_at,
            href,
            warnings: accepted.warnings,
        }))
}

/// The requester's language for the desk's emails, from the request's `Accept-Language`
/// (the highest-weighted of Indonesian and English); none leaves it to the desk's default.
fn preferred_language(request: &HttpRequest) -> Option<Language> {
    let header = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()?;
    let supported = Language::ALL.map(Language::code);
    accept_language::intersection(header, &supported)
        .first()
        .and_then(|tag| Language::from_tag(tag))
}

/// The routing rules as the domain reads them. A stored rule that no longer parses (a
/// unit renamed away) is skipped and logged rather than failing every intake.
pub(crate) async fn routing_rules(state: &AppState) -> Result<Vec<RoutingRule>, ApiError> {
    let stored = state.store.routing_rules().await?;
    let stored_count = stored.len();
    Ok(stored
        .into_iter()
        .filter_map(|rule| {
            let service = match rule.service.as_deref() {
                Some(code) => Some(Service::from_code(code)?),
                None => None,
            };
            let unit = match rule.unit.as_deref() {
                Some(name) => Some(state.units.resolve(name).ok()?),
                None => None,
            };
            let queue = QueueName::parse(&rule.queue).ok()?;
            Some(RoutingRule {
                service,
                unit,
                queue,
            })
        })
        .collect::<Vec<_>>())
    .inspect(|rules: &Vec<RoutingRule>| {
        if rules.len() != stored_count {
            tracing::warn!(
                skipped = stored_count - rules.len(),
                "routing rules that no longer parse were skipped"
            );
        }
    })
}

fn filing_not_permitted() -> ApiError {
    ApiError::Forbidden {
        code: "filing_for_someone_else",
        message: Message::new(
            "Tiket hanya dapat diajukan untuk diri sendiri: NIP pemohon harus NIP Anda.",
            "You can only file a ticket for yourself: the requester's NIP must be yours.",
        ),
    }
}
