//! Lists of tickets: an RA queue, a requester's own, an officer's. All are keyset pages,
//! oldest first, with a `next` link while more remain.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::lifecycle::{Role, Status, link_expired};
use certdesk_domain::routing::{QueueName, StoredRule};
use certdesk_domain::service_level::Standing;
use certdesk_domain::text::SearchText;
use certdesk_domain::{CertificateStatus, ChangeKind, Nip, ProblemCode, Service};
use certdesk_store::{PageCursor, SlaFilter, TicketFilter, TicketOrder, TicketSummary};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::paging::{invalid_cursor, link_next, next_link};
use crate::auth::Caller;
use crate::error::{ApiError, FieldRule};
use crate::extract::Query;
use crate::json_line::JsonLine;
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: u64 = 50;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Comma-separated statuses (see `TicketStatus`), e.g. `in_review,awaiting_requester`.
    /// A queue without it shows its open tickets.
    pub status: Option<String>,
    #[param(value_type = Option<certdesk_domain::Service>)]
    pub service: Option<String>,
    #[param(value_type = Option<certdesk_domain::ChangeKind>)]
    pub subtype: Option<String>,
    /// An Eselon I unit, as employees write it.
    pub unit: Option<String>,
    /// The responsible officer's NIP.
    pub officer: Option<String>,
    /// The assigned agent's NIP.
    pub assignee: Option<String>,
    /// What the agent last found at the certificate authority, by code
    /// (`on_set_passphrase`) or as the portal writes it (`On Set Passphrase`).
    #[param(value_type = Option<String>, example = "on_set_passphrase")]
    pub authority_status: Option<String>,
    pub created_before: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    /// Text in the description.
    pub q: Option<String>,
    /// RA queues only: the tickets whose service levels are `at_risk` (and not yet
    /// breached), or `breached` (a clock went past its target, or a running one is
    /// past due), now.
    #[param(value_type = Option<String>, example = "at_risk")]
    pub sla: Option<String>,
    /// RA queues only: `age` (oldest first, the default) or `due` (what falls due first
    /// comes first; tickets whose clocks all wait or have stopped come last).
    #[param(value_type = Option<String>, example = "due")]
    pub sort: Option<String>,
    /// Where the page starts: copy it from a `next` link; opaque.
    pub cursor: Option<String>,
    /// Tickets per page.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketListItem>,
    /// The URL of the next page; `null` on the last one.
    #[schema(
        example = "/api/v1/queues/ra-pusat/tickets?limit=50&cursor=1763694855000000.S00000035887"
    )]
    pub next: Option<String>,
}

/// A page of tickets, oldest first; `next` (and the `Link` header) lead on.
#[derive(utoipa::ToResponse)]
#[response(headers(("Link" = String, description = "`<next URL>; rel=\"next\"`, while more pages follow.")))]
#[allow(dead_code, reason = "describes a response, never constructed")]
pub struct TicketPageResponse(TicketPage);

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketListItem {
    pub number: String,
    #[schema(value_type = certdesk_domain::Service)]
    pub service: &'static str,
    #[schema(value_type = Option<certdesk_domain::ChangeKind>)]
    pub subtype: Option<&'static str>,
    pub status: Status,
    pub queue: String,
    pub requester_nip: String,
    pub requester_unit: String,
    pub responsible_officer_nip: String,
    pub assignee_nip: Option<String>,
    /// What the agent last found at the certificate authority.
    #[schema(value_type = Option<certdesk_domain::CertificateStatus>)]
    pub authority_status: Option<&'static str>,
    /// While the desk waits for the requester at the authority: when their link expires.
    pub link_expires_at: Option<DateTime<Utc>>,
    /// The requester's link expired unused: the agent should have a new one sent.
    pub link_expired: bool,
    /// RA queues only: when its first running service-level clock falls due.
    pub due_at: Option<DateTime<Utc>>,
    /// RA queues only: how its service levels stand now; `null` when no clock runs and
    /// none is at risk or breached.
    pub standing: Option<Standing>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub href: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueEntry {
    pub name: String,
    pub open_tickets: i64,
    pub href: String,
}

/// The RA queues.
///
/// Every queue a rule routes to, the default queue, and any holding open tickets, with
/// their open tickets counted. RA staff only.
#[utoipa::path(
    get,
    path = "/api/v1/queues",
    tag = "queues",
    operation_id = "list_queues",
    responses(
        (status = 200, description = "The queues, by name.", body = Vec<QueueEntry>),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn queues(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let rules = state.store.routing_rules(&state.units).await?;
    let entries: Vec<QueueEntry> = open_counts(&state, &rules)
        .await?
        .into_iter()
        .map(|(name, open_tickets)| QueueEntry {
            open_tickets,
            href: format!("/api/v1/queues/{}/tickets", name.as_str()),
            name: name.as_str().to_owned(),
        })
        .collect();
    Ok(HttpResponse::Ok().json_line(entries))
}

/// Every queue a rule routes to, the default queue, and any holding open tickets, by
/// name, with their open tickets counted.
pub(crate) async fn open_counts(
    state: &AppState,
    rules: &[StoredRule],
) -> Result<Vec<(QueueName, i64)>, ApiError> {
    let counts = state.store.queue_counts().await?;
    let mut names: Vec<QueueName> = rules
        .iter()
        .filter_map(|rule| rule.queue().cloned())
        .collect();
    names.push(state.rules.lifecycle.default_queue.clone());
    names.extend(counts.iter().map(|(name, _)| name.clone()));
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .map(|name| {
            let open = counts
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(0, |(_, c)| *c);
            (name, open)
        })
        .collect())
}

/// A queue's tickets.
///
/// RA staff only. Without `status`, the open tickets.
#[utoipa::path(
    get,
    path = "/api/v1/queues/{queue}/tickets",
    tag = "queues",
    operation_id = "queue_tickets",
    params(("queue" = String, Path, description = "The queue's name.", example = "ra-pusat"), ListQuery),
    responses(
        (status = 200, response = TicketPageResponse),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn queue_tickets(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<String>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let queue = QueueName::parse(&path).map_err(|(code, message)| {
        ApiError::rejected(vec![certdesk_domain::Problem::new("queue", code, message)])
    })?;
    let mut filter = filter(&state, &query)?;
    filter.queue = Some(queue);
    queue_order(&mut filter, &query, Utc::now())?;
    // A queue is work to do: without a status filter it shows the open tickets.
    if filter.statuses.is_empty() {
        filter.statuses = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    }
    page(&state, &request, &query, filter, true).await
}

/// A queue's own parameters: which service levels (`sla`), in what order (`sort`),
/// judged at `now`.
pub(crate) fn queue_order(
    filter: &mut TicketFilter,
    query: &ListQuery,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    filter.sla = match query.sla.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(written) => Some(
            match one_of("sla", written, &SLA_CHOICES, |c| c, ProblemCode::Required)? {
                "at_risk" => SlaFilter::AtRisk { at: now },
                _ => SlaFilter::Breached { at: now },
            },
        ),
    };
    filter.order = match query.sort.as_deref().map(str::trim) {
        None | Some("") => TicketOrder::Age,
        Some(written) => {
            match one_of("sort", written, &SORT_CHOICES, |c| c, ProblemCode::Required)? {
                "due" => TicketOrder::Due,
                _ => TicketOrder::Age,
            }
        }
    };
    Ok(())
}

const SLA_CHOICES: [&str; 2] = ["at_risk", "breached"];
const SORT_CHOICES: [&str; 2] = ["age", "due"];

/// `sla` and `sort` sent to a list that is not a queue: service levels are for RA staff.
fn no_queue_parameters(query: &ListQuery) -> Result<(), ApiError> {
    for (field, value) in [("sla", &query.sla), ("sort", &query.sort)] {
        if value.is_some() {
            return Err(ApiError::invalid(
                field,
                &FieldRule::QueueOnly {
                    field: field.to_owned(),
                },
            ));
        }
    }
    Ok(())
}

/// My tickets.
///
/// The tickets the caller filed (as requester). People only, not integration tokens.
#[utoipa::path(
    get,
    path = "/api/v1/me/tickets",
    tag = "queues",
    operation_id = "my_tickets",
    params(ListQuery),
    responses(
        (status = 200, response = TicketPageResponse),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn my_tickets(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let nip = caller.nip().ok_or_else(people_only)?.clone();
    no_queue_parameters(&query)?;
    let mut filter = filter(&state, &query)?;
    filter.requester_nip = Some(nip);
    page(&state, &request, &query, filter, false).await
}

/// Tickets I answer for.
///
/// The tickets naming the caller as responsible officer. Officers only.
#[utoipa::path(
    get,
    path = "/api/v1/officers/me/tickets",
    tag = "queues",
    operation_id = "officer_tickets",
    params(ListQuery),
    responses(
        (status = 200, response = TicketPageResponse),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn officer_tickets(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.person().ok_or_else(people_only)?;
    if !actor.has(Role::Officer) {
        return Err(ApiError::OfficersOnly);
    }
    no_queue_parameters(&query)?;
    let mut filter = filter(&state, &query)?;
    filter.officer_nip = Some(actor.nip.clone());
    page(&state, &request, &query, filter, false).await
}

fn people_only() -> ApiError {
    ApiError::PeopleOnly
}

pub(crate) fn filter(state: &AppState, query: &ListQuery) -> Result<TicketFilter, ApiError> {
    let statuses = match query.status.as_deref() {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                one_of(
                    "status",
                    s,
                    &Status::ALL,
                    Status::code,
                    ProblemCode::Required,
                )
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let service = query
        .service
        .as_deref()
        .map(|s| {
            one_of(
                "service",
                s,
                &Service::ALL,
                Service::code,
                ProblemCode::ServiceUnknown,
            )
        })
        .transpose()?;
    let subtype = query
        .subtype
        .as_deref()
        .map(|s| {
            one_of(
                "subtype",
                s,
                &ChangeKind::ALL,
                ChangeKind::code,
                ProblemCode::SubtypeUnknown,
            )
        })
        .transpose()?;
    let nip = |field: &str, raw: &Option<String>| -> Result<Option<Nip>, ApiError> {
        raw.as_deref()
            .map(|raw| Nip::parse(raw).map_err(|e| ApiError::invalid(field, &e)))
            .transpose()
    };
    Ok(TicketFilter {
        queue: None,
        statuses,
        service,
        subtype,
        // Written as employees write it (case, spacing, aliases), stored in one form.
        unit: query
            .unit
            .as_deref()
            .map(|written| {
                state
                    .units
                    .resolve(written)
                    .map_err(|e| ApiError::invalid("unit", &e))
            })
            .transpose()?,
        requester_nip: None,
        officer_nip: nip("officer", &query.officer)?,
        assignee_nip: nip("assignee", &query.assignee)?,
        authority_status: query
            .authority_status
            .as_deref()
            .map(|written| {
                CertificateStatus::from_code(written.trim())
                    .or_else(|| CertificateStatus::from_label(written))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "authority_status",
                            &FieldRule::unknown_choice(
                                "authority_status",
                                ProblemCode::CertificateStatusUnknown,
                                &CertificateStatus::ALL,
                                CertificateStatus::code,
                            ),
                        )
                    })
            })
            .transpose()?,
        created_before: query.created_before,
        created_after: query.created_after,
        text: query
            .q
            .as_deref()
            .filter(|q| !q.trim().is_empty())
            .map(|q| SearchText::parse(q).map_err(|e| ApiError::invalid("q", &e)))
            .transpose()?,
        sla: None,
        order: TicketOrder::Age,
    })
}

/// A value of a closed vocabulary by its code, or a 422 that lists the choices.
fn one_of<T: Copy>(
    field: &str,
    written: &str,
    all: &[T],
    code_of: fn(T) -> &'static str,
    problem: ProblemCode,
) -> Result<T, ApiError> {
    all.iter()
        .copied()
        .find(|item| code_of(*item) == written.trim())
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                &FieldRule::unknown_choice(field, problem, all, code_of),
            )
        })
}

/// A page of `filter`'s tickets; with `service_levels` (RA queues), each with its due
/// instant and standing.
async fn page(
    state: &AppState,
    request: &HttpRequest,
    query: &ListQuery,
    filter: TicketFilter,
    service_levels: bool,
) -> Result<HttpResponse, ApiError> {
    let after = match query.cursor.as_deref() {
        Some(token) => Some(PageCursor::decode(token).ok_or_else(invalid_cursor)?),
        None => None,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    let (tickets, next) = state.store.list_tickets(&filter, after, limit).await?;
    let next = next.map(|cursor| next_link(request, &cursor.encode()));
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next {
        response.insert_header(link_next(next));
    }
    let now = Utc::now();
    Ok(response.json_line(TicketPage {
        items: tickets
            .into_iter()
            .map(|t| item(t, service_levels, now))
            .collect(),
        next,
    }))
}

fn item(t: TicketSummary, service_levels: bool, now: DateTime<Utc>) -> TicketListItem {
    TicketListItem {
        due_at: t.clocks.due_at.filter(|_| service_levels),
        standing: t.clocks.standing(now).filter(|_| service_levels),
        authority_status: t.authority_status.map(|s| s.label()),
        link_expired: t.status == Status::AwaitingRequesterAtAuthority
            && t.link_expires_at.is_some_and(|at| link_expired(at, now)),
        link_expires_at: t.link_expires_at,
        href: format!("/api/v1/tickets/{}", t.number),
        number: t.number.to_string(),
        service: t.service.code(),
        subtype: t.subtype.map(|k| k.code()),
        status: t.status,
        queue: t.queue.as_str().to_owned(),
        requester_nip: t.requester_nip.as_str().to_owned(),
        requester_unit: t.requester_unit,
        responsible_officer_nip: t.responsible_officer_nip.as_str().to_owned(),
        assignee_nip: t.assignee_nip.map(|n| n.as_str().to_owned()),
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}
