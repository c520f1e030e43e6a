//! The email outbox for supervisors: dead letters and requeueing
//! (`/api/v1/outbox/…`), and the numbers for monitoring (`/metrics`, Prometheus text).
//! Sending itself is the worker's; the API only reads and resets delivery state.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::paging::{invalid_cursor, link_next};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::json_line::JsonLine;
use crate::state::AppState;

const DEFAULT_PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: u64 = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadLetterQuery {
    /// Where the page starts: copy it from a `next` link; opaque.
    pub cursor: Option<String>,
    /// Letters per page.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadLetterItem {
    pub event_id: Uuid,
    pub ticket: String,
    /// What happened to the ticket, e.g. `resolved`.
    pub event: certdesk_domain::EventKind,
    /// Whom it was for; `null` if the event no longer reads back.
    pub recipient: Option<certdesk_domain::lifecycle::Recipient>,
    pub attempts: i32,
    /// Why the desk gave up: the mail server's answer, or what went wrong.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Where to `POST` to send it again.
    pub requeue: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadLetterPage {
    pub items: Vec<DeadLetterItem>,
    /// The URL of the next page; `null` on the last one.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Requeued {
    pub requeued: u64,
}

/// Dead letters.
///
/// Status emails the desk gave up on, oldest first, with the mail server's last answer.
/// Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/outbox/dead-letters",
    tag = "administration",
    operation_id = "list_dead_letters",
    params(DeadLetterQuery),
    responses(
        (status = 200, description = "A page of dead letters.", body = DeadLetterPage,
            headers(("Link" = Option<String>, description = "`<next URL>; rel=\"next\"` while more pages follow."))),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn dead_letters(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<DeadLetterQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let after = match query.cursor.as_deref() {
        Some(token) => Some(decode_cursor(token).ok_or_else(invalid_cursor)?),
        None => None,
    };
    // One more than asked tells whether another page follows.
    let mut letters = state.store.dead_letters(limit + 1, after).await?;
    let next = if letters.len() as u64 > limit {
        letters.truncate(limit as usize);
        letters.last().map(|last| {
            format!(
                "{}?limit={limit}&cursor={}",
                request.path(),
                encode_cursor(last.created_at, last.event_id)
            )
        })
    } else {
        None
    };
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next {
        response.insert_header(link_next(next));
    }
    Ok(response.json_line(DeadLetterPage {
        items: letters
            .into_iter()
            .map(|l| DeadLetterItem {
                requeue: format!("/api/v1/outbox/dead-letters/{}/requeue", l.event_id),
                event_id: l.event_id,
                ticket: l.ticket.to_string(),
                event: l.kind,
                recipient: l.recipient,
                attempts: l.attempts,
                last_error: l.last_error,
                created_at: l.created_at,
            })
            .collect(),
        next,
    }))
}

/// Requeue a dead letter.
///
/// After fixing the cause (an address in the directory, the relay's configuration), send
/// it again. Supervisors only.
#[utoipa::path(
    post,
    path = "/api/v1/outbox/dead-letters/{event_id}/requeue",
    tag = "administration",
    operation_id = "requeue_dead_letter",
    params(("event_id" = uuid::Uuid, Path, description = "The dead letter's `event_id`.")),
    responses(
        (status = 200, description = "Queued for sending again.", body = Requeued),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 404, description = "No dead letter with this id (`dead_letter_not_found`).",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn requeue(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let requeued = requeue_one(&state, &caller, &path).await?;
    Ok(HttpResponse::Ok().json_line(Requeued { requeued }))
}

/// Sends one dead letter again, for a supervisor: the API's route and the console's
/// button both come here.
pub(crate) async fn requeue_one(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
) -> Result<u64, ApiError> {
    caller.require_supervisor()?;
    let id = Uuid::parse_str(raw_id).map_err(|_| ApiError::DeadLetterNotFound)?;
    let requeued = state.store.requeue_dead(Some(id), Utc::now()).await?;
    if requeued == 0 {
        return Err(ApiError::DeadLetterNotFound);
    }
    tracing::info!(event = %id, "dead letter requeued");
    Ok(requeued)
}

/// Requeue every dead letter.
///
/// Supervisors only.
#[utoipa::path(
    post,
    path = "/api/v1/outbox/dead-letters/requeue",
    tag = "administration",
    operation_id = "requeue_all_dead_letters",
    responses(
        (status = 200, description = "How many were queued again.", body = Requeued),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn requeue_all(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let requeued = state.store.requeue_dead(None, Utc::now()).await?;
    tracing::info!(requeued, "all dead letters requeued");
    Ok(HttpResponse::Ok().json_line(Requeued { requeued }))
}

/// Metrics.
///
/// The outbox in Prometheus' text format. Counts and durations only, nothing about any
/// person, so it is open to the scraper like the health checks.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4.",
            body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
    )
)]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.store.outbox_stats(Utc::now()).await?;
    let seconds = |d: Option<std::time::Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64());
    let mut text = String::with_capacity(1024);
    let mut gauge = |name: &str, help: &str, samples: &[(&str, f64)]| {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, value) in samples {
            text.push_str(&format!("{name}{labels} {value}\n"));
        }
    };
    gauge(
        "certdesk_outbox_messages",
        "Outbox messages by delivery state (sent messages are not counted here).",
        &[
            ("{state=\"pending\"}", stats.pending as f64),
            ("{state=\"due\"}", stats.due as f64),
            ("{state=\"sending\"}", stats.sending as f64),
            ("{state=\"dead\"}", stats.dead as f64),
        ],
    );
    gauge(
        "certdesk_outbox_oldest_due_seconds",
        "Age of the oldest message due for sending; 0 when none is waiting.",
        &[("", stats.oldest_due_age.map_or(0.0, |d| d.as_secs_f64()))],
    );
    gauge(
        "certdesk_outbox_delivery_latency_seconds",
        "From the event to the mail server's acceptance, over the most recent sent messages.",
        &[
            ("{quantile=\"0.5\"}", seconds(stats.latency_p50)),
            ("{quantile=\"0.95\"}", seconds(stats.latency_p95)),
            ("{quantile=\"1\"}", seconds(stats.latency_max)),
        ],
    );
    gauge(
        "certdesk_outbox_recent_sent",
        "How many recent sent messages the latency and attempt figures cover.",
        &[("", stats.sample as f64)],
    );
    gauge(
        "certdesk_outbox_recent_attempts",
        "Attempts the recent sent messages took, in all.",
        &[("", stats.attempts_total as f64)],
    );
    gauge(
        "certdesk_outbox_recent_retried",
        "Recent sent messages that needed more than one attempt.",
        &[("", stats.retried as f64)],
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

fn encode_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}.{}", at.timestamp_micros(), id.simple())
}

fn decode_cursor(token: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = token.split_once('.')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}
