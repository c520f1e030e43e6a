//! `POST /api/v1/tickets`: file a ticket.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::{Problem, TicketNumber};
use certdesk_store::{CreatedTicket, Idempotency, NewTicket, RememberedResponse, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

use certdesk_domain::Language;
use certdesk_domain::lifecycle::{Capacity, Status};
use certdesk_domain::routing::route;

use super::intake::{Checked, admit_upload, check, receive};
use super::{etag, log_rejection, ticket_path};
use crate::auth::{Caller, scope};
use crate::error::{ApiError, FieldRule, IDEMPOTENCY_KEY};
use crate::rate_limits::{Limited, RateLimits};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "number": "S00000035887", "status": "awaiting_endorsement", "queue": "ra-pusat",
    "created_at": "2026-11-21T03:14:15Z", "href": "/api/v1/tickets/S00000035887",
    "warnings": []
}))]
pub struct CreatedResponse {
    pub number: String,
    pub status: Status,
    /// The RA queue the routing rules chose.
    pub queue: String,
    pub created_at: DateTime<Utc>,
    pub href: String,
    /// Things the requester should know; the ticket was filed anyway.
    pub warnings: Vec<Problem>,
}

/// File a ticket.
///
/// A `multipart/form-data` body: a `ticket` part (JSON) and one part per attachment, named
/// after its kind. Every rule is checked before anything is stored, and a refusal lists
/// every problem at once. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    operation_id = "file_ticket",
    params(
        ("Idempotency-Key" = Option<String>, Header,
            description = "Makes the request safe to retry: 1 to 255 visible ASCII characters, unique per request (a UUID does). The same key with the same request returns the first response again and files nothing; with a different request it is refused (422 `idempotency_key_reused`).",
            example = "0b9c3c8e-5d1a-4c3e-9d7f-2f6a1e4b8c21"),
        ("Accept-Language" = Option<String>, Header,
            description = "`id` or `en`: the language of the requester's status emails (Indonesian by default).",
            example = "id"),
    ),
    request_body(content = crate::routes::tickets::forms::TicketForm, content_type = "multipart/form-data",
        description = "The ticket's data and its attachments."),
    responses(
        (status = 201, description = "The ticket was filed (or, with a reused `Idempotency-Key`, had been: the first response again).",
            body = CreatedResponse,
            headers(
                ("Location" = String, description = "The ticket's URL."),
                ("ETag" = String, description = "The ticket's version, for `If-Match`."),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response to an earlier request with the same key."),
            )),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 409, response = crate::responses::Conflict),
        (status = 408, response = crate::responses::RequestTimeout),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    limits: web::Data<RateLimits>,
    caller: Caller,
    request: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    // An integrator that may not file learns nothing from the checks.
    if matches!(caller, Caller::Integrator { .. }) && !caller.has_scope(scope::TICKETS_WRITE) {
        return Err(filing_not_permitted());
    }
    limits.check(Limited::Intake, &caller, &request)?;
    let key = idempotency_key(&request)?;
    let principal = caller.principal();
    let _upload = admit_upload(&state, &request)?;
    let received = receive(&request, body, &state.limits).await?;
    let fingerprint = received.fingerprint().map(str::to_owned);
    // A retry is answered from memory before any rule is applied or the directory is
    // read: the rules or the directory may have changed since, but the ticket was filed.
    if let (Some(key), Some(fingerprint)) = (&key, &fingerprint)
        && let Some(first) = state
            .store
            .remembered_response(&principal, key, Utc::now())
            .await?
    {
        return replay(first, fingerprint);
    }
    let (accepted, attachments) = match check(&state, received).await? {
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
    let requester_nip = &accepted.submission.requester.nip;
    let capacity = match &caller {
        Caller::Person(actor) if actor.nip == *requester_nip => Capacity::Requester,
        Caller::Integrator { .. } if caller.has_scope(scope::TICKETS_WRITE) => Capacity::Integrator,
        _ => return Err(filing_not_permitted()),
    };
    let service = accepted.submission.request.service();
    let rules = state.store.routing_rules(&state.units).await?;
    let routed = route(
        service,
        &accepted.submission.requester.unit,
        &rules,
        &state.rules.lifecycle.default_queue,
    );
    if !routed.passed_over.is_empty() {
        tracing::warn!(
            rules = ?routed.passed_over,
            queue = routed.queue.as_str(),
            "routing passed over rules that no longer read (see GET /api/v1/routing-rules); a supervisor should correct them"
        );
    }
    let queue = routed.queue;
    let status = state.rules.lifecycle.initial_status(service);
    let respond = {
        let queue = queue.as_str().to_owned();
        let warnings = accepted.warnings.clone();
        move |created: &CreatedTicket| created_body(created, status, queue, warnings)
    };
    let remember = match (&key, &fingerprint) {
        (Some(key), Some(fingerprint)) => Some(Idempotency {
            principal: &principal,
            key,
            fingerprint,
            expires_at: Utc::now()
                + chrono::Duration::hours(state.idempotency.retention_hours as i64),
            respond: Box::new(respond.clone()),
        }),
        _ => None,
    };
    let created = state
        .store
        .create_ticket(NewTicket {
            submission: &accepted.submission,
            attachments,
            queue,
            status,
            filed_by: &caller.history_actor(capacity),
            language: preferred_language(&request),
            warnings: &accepted.warnings,
            idempotency: remember,
            service_levels: &state.service_levels,
        })
        .await;
    let created = match (created, &key, &fingerprint) {
        (Ok(created), ..) => created,
        // A request under the same key may have been filing at the same moment and won:
        // then answer as it was answered.
        (
            Err(e @ (StoreError::IdempotencyKeyTaken | StoreError::OpenTicketExists(_))),
            Some(key),
            Some(fingerprint),
        ) => {
            let first = state
                .store
                .remembered_response(&principal, key, Utc::now())
                .await?;
            return match first {
                Some(first) => replay(first, fingerprint),
                None => Err(e.into()),
            };
        }
        (Err(e), ..) => return Err(e.into()),
    };
    Ok(created_response(created.number, respond(&created), false))
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(ApiError::invalid(
            IDEMPOTENCY_KEY,
            &FieldRule::IdempotencyKeyFormat,
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// The answer remembered under the key, if this request is the one it answered.
fn replay(first: RememberedResponse, fingerprint: &str) -> Result<HttpResponse, ApiError> {
    if first.fingerprint != fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let number = first.ticket_number.parse().map_err(|_| {
        ApiError::internal(anyhow::anyhow!(
            "remembered ticket number {:?} does not parse",
            first.ticket_number
        ))
    })?;
    tracing::info!(ticket = %number, "idempotent retry answered from memory");
    Ok(created_response(number, first.body, true))
}

/// The body of a 201, rendered once: a replay sends these same bytes.
fn created_body(
    created: &CreatedTicket,
    status: Status,
    queue: String,
    warnings: Vec<Problem>,
) -> String {
    let body = CreatedResponse {
        number: created.number.to_string(),
        status,
        queue,
        created_at: created.created_at,
        href: ticket_path(created.number),
        warnings,
    };
    // Strings, a timestamp and problems: serde_json cannot fail on these, so there is
    // no error to carry; the fallback only keeps the signature free of one.
    serde_json::to_string(&body).unwrap_or_else(|_| String::from("{}"))
}

fn created_response(number: TicketNumber, body: String, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response
        .insert_header((header::LOCATION, ticket_path(number)))
        // A new ticket is at version 1; a replay repeats the first answer.
        .insert_header((header::ETAG, etag(1)))
        .content_type(mime::APPLICATION_JSON);
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    // A line of its own, as every JSON answer (`json_line`).
    response.body(format!("{}\n", body.trim_end()))
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

fn filing_not_permitted() -> ApiError {
    ApiError::FilingForSomeoneElse
}
