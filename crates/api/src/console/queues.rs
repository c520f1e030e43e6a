//! The queues, each with its open tickets counted, and a queue's tickets with the API's
//! filters, what falls due first at the top (or oldest first), a page at a time, each
//! with its service levels' standing and the working time left; tickets that need
//! attention are flagged.

use actix_web::{HttpResponse, web};
use certdesk_domain::lifecycle::{Role, Status, link_expired};
use certdesk_domain::routing::QueueName;
use certdesk_domain::service_level::{ServiceLevels, Standing};
use certdesk_domain::{CertificateStatus, ChangeKind, Language, Service};
use certdesk_store::{PageCursor, TicketFilter, TicketSummary};
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::Serialize;

use super::page::{ConsoleError, filled_in, render};
use super::session::Signed;
use crate::error::ApiError;
use crate::routes::lists::{ListQuery, filter, open_counts, queue_order};
use crate::state::AppState;

const PAGE_SIZE: u64 = 50;

pub async fn index(
    state: web::Data<AppState>,
    signed: Signed,
) -> Result<HttpResponse, ConsoleError> {
    signed.caller.require_staff()?;
    let rules = state.store.routing_rules(&state.units).await?;
    let queues: Vec<_> = open_counts(&state, &rules)
        .await?
        .into_iter()
        .map(|(name, open)| context! { name => name.as_str(), open => open })
        .collect();
    // Supervisors hear here, where they start, that routing passes over broken rules.
    let broken_rules = if signed.caller.is_supervisor() {
        rules.iter().filter(|r| !r.problems().is_empty()).count()
    } else {
        0
    };
    render(
        "queues.html",
        context! {
            frame => signed.frame(),
            lang => signed.session.language.code(),
            queues => queues,
            broken_rules => broken_rules,
        },
    )
}

/// A responsible officer's page: the tickets waiting for their endorsement, oldest
/// first; endorsing or declining is done on the ticket, as the domain offers it.
pub async fn endorsements(
    state: web::Data<AppState>,
    signed: Signed,
) -> Result<HttpResponse, ConsoleError> {
    let actor = &signed.session.actor;
    if !actor.has(Role::Officer) {
        return Err(ApiError::OfficersOnly.into());
    }
    let language = signed.session.language;
    let waiting = TicketFilter {
        officer_nip: Some(actor.nip.clone()),
        statuses: vec![Status::AwaitingEndorsement],
        ..TicketFilter::default()
    };
    let (tickets, _) = state.store.list_tickets(&waiting, None, 200).await?;
    let now = Utc::now();
    let rows: Vec<Row> = tickets
        .into_iter()
        .map(|t| row(t, language, now, None))
        .collect();
    render(
        "endorsements.html",
        context! {
            frame => signed.frame(),
            lang => language.code(),
            rows => super::page::serialized(&rows),
        },
    )
}

#[derive(Serialize)]
struct Row {
    number: String,
    service: &'static str,
    status: String,
    unit: String,
    assignee: Option<String>,
    authority_status: Option<&'static str>,
    link_expired: bool,
    /// The officer was reminded: the endorsement waited longer than the desk allows.
    endorsement_overdue: bool,
    waiting_hours: i64,
    /// In a queue: how its service levels stand, and the working time until its first
    /// running clock falls due, or since it did.
    standing: Option<Standing>,
    due_in_minutes: Option<i64>,
    overdue_minutes: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    signed: Signed,
    request: actix_web::HttpRequest,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    signed.caller.require_staff()?;
    let language = signed.session.language;
    let queue = QueueName::parse(&path).map_err(|(code, message)| {
        ApiError::rejected(vec![certdesk_domain::Problem::new("queue", code, message)])
    })?;
    let mut query = filters_filled_in(query.into_inner());
    // What falls due first is the console's order unless asked otherwise.
    query.sort.get_or_insert_with(|| "due".to_owned());
    let now = Utc::now();
    let mut ticket_filter = filter(&state, &query)?;
    queue_order(&mut ticket_filter, &query, now)?;
    ticket_filter.queue = Some(queue.clone());
    if ticket_filter.statuses.is_empty() {
        ticket_filter.statuses = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    }
    let after = match query.cursor.as_deref() {
        Some(token) => {
            Some(PageCursor::decode(token).ok_or_else(crate::routes::paging::invalid_cursor)?)
        }
        None => None,
    };
    let (tickets, next) = state
        .store
        .list_tickets(&ticket_filter, after, PAGE_SIZE)
        .await?;
    let rows: Vec<Row> = tickets
        .into_iter()
        .map(|t| row(t, language, now, Some(&state.service_levels)))
        .collect();
    // The next page keeps the filters: the query as sent, with the new cursor.
    let next = next.map(|cursor| {
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(request.query_string().as_bytes())
                .filter(|(key, _)| key != "cursor")
                .map(|(key, value)| (key.into_owned(), value.into_owned()))
                .collect();
        pairs.push(("cursor".into(), cursor.encode()));
        format!("/console/queues/{}?{}", queue.as_str(), encode(&pairs))
    });
    let statuses: Vec<_> = Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| context! { code => s.code(), title => language.pick(&s.title()) })
        .collect();
    render(
        "queue.html",
        context! {
            frame => signed.frame(),
            lang => language.code(),
            queue => queue.as_str(),
            rows => super::page::serialized(&rows),
            next => next,
            q => query.q.clone().unwrap_or_default(),
            status => query.status.clone().unwrap_or_default(),
            service => query.service.clone().unwrap_or_default(),
            subtype => query.subtype.clone().unwrap_or_default(),
            unit => query.unit.clone().unwrap_or_default(),
            officer => query.officer.clone().unwrap_or_default(),
            assignee => query.assignee.clone().unwrap_or_default(),
            authority_status => query.authority_status.clone().unwrap_or_default(),
            sla => query.sla.clone().unwrap_or_default(),
            sort => query.sort.clone().unwrap_or_default(),
            statuses => statuses,
            services => Service::ALL.iter().map(|s| s.code()).collect::<Vec<_>>(),
            subtypes => ChangeKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
            authority_statuses => CertificateStatus::ALL.iter().map(|s| context! { code => s.code(), label => s.label() }).collect::<Vec<_>>(),
        },
    )
}

fn row(
    t: TicketSummary,
    language: Language,
    now: DateTime<Utc>,
    levels: Option<&ServiceLevels>,
) -> Row {
    let due = levels.zip(t.clocks.due_at);
    Row {
        standing: levels.and(t.clocks.standing(now)),
        due_in_minutes: due.filter(|(_, due)| *due >= now).map(|(levels, due)| {
            levels
                .calendar()
                .working_time_between(now, due)
                .num_minutes()
        }),
        overdue_minutes: due.filter(|(_, due)| *due < now).map(|(levels, due)| {
            levels
                .calendar()
                .working_time_between(due, now)
                .num_minutes()
        }),
        number: t.number.to_string(),
        service: t.service.code(),
        status: language.pick(&t.status.title()).to_owned(),
        unit: t.requester_unit,
        assignee: t.assignee_nip.map(|n| n.as_str().to_owned()),
        authority_status: t.authority_status.map(|s| s.label()),
        link_expired: t.status == Status::AwaitingRequesterAtAuthority
            && t.link_expires_at.is_some_and(|at| link_expired(at, now)),
        endorsement_overdue: t.status == Status::AwaitingEndorsement
            && t.endorsement_reminded_at.is_some(),
        waiting_hours: (now - t.created_at).num_hours(),
    }
}

/// The filters a person filled in (`filled_in`, field by field).
fn filters_filled_in(query: ListQuery) -> ListQuery {
    ListQuery {
        status: filled_in(query.status),
        service: filled_in(query.service),
        subtype: filled_in(query.subtype),
        unit: filled_in(query.unit),
        officer: filled_in(query.officer),
        assignee: filled_in(query.assignee),
        authority_status: filled_in(query.authority_status),
        q: filled_in(query.q),
        sla: filled_in(query.sla),
        sort: filled_in(query.sort),
        cursor: filled_in(query.cursor),
        ..query
    }
}

/// `application/x-www-form-urlencoded`, as browsers write a form's query.
fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
