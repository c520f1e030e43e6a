//! What supervisors look after in the console: emails the desk gave up on, sent again
//! once the cause is fixed (the API's own requeue); the staff and officers' directories,
//! with people made active or inactive through the API's own checks; the routing rules
//! as stored; the audit of looks at personal data.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::staff::StaffMember;
use certdesk_domain::{EntryFields, Nip, Officer};
use certdesk_store::{AuditOrder, KeptDirectory};
use minijinja::context;
use serde::Deserialize;

use super::page::{ConsoleError, filled_in, render, see_other, serialized};
use super::session::Signed;
use crate::error::ApiError;
use crate::routes::audit::AuditQuery;
use crate::routes::outbox::requeue_one;
use crate::routes::paging::next_link;
use crate::routes::{audit, directory, routing_rules};
use crate::state::AppState;

/// Dead letters shown at once; the API pages through all of them.
const SHOWN: u64 = 200;

#[derive(serde::Serialize)]
struct Letter {
    id: String,
    ticket: String,
    event: &'static str,
    recipient: Option<&'static str>,
    attempts: i32,
    last_error: Option<String>,
    created_at: String,
}

#[derive(Deserialize)]
pub struct Shown {
    requeued: Option<String>,
}

pub async fn dead_letters(
    state: web::Data<AppState>,
    signed: Signed,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, ConsoleError> {
    signed.caller.require_supervisor()?;
    let letters: Vec<Letter> = state
        .store
        .dead_letters(SHOWN, None)
        .await?
        .into_iter()
        .map(|l| Letter {
            id: l.event_id.to_string(),
            ticket: l.ticket.to_string(),
            event: l.kind.code(),
            recipient: l.recipient.map(|r| r.code()),
            attempts: l.attempts,
            last_error: l.last_error,
            created_at: l.created_at.to_rfc3339(),
        })
        .collect();
    render(
        "dead_letters.html",
        context! {
            frame => signed.frame(),
            lang => signed.session.language.code(),
            letters => serialized(&letters),
            requeued => shown.requeued.is_some(),
        },
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn requeue(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    signed.check_csrf(&form.csrf)?;
    requeue_one(&state, &signed.caller, &path).await?;
    Ok(see_other("/console/dead-letters?requeued=1"))
}

/// Both directories on one page: who works the desk and who endorses; an entry that no
/// longer passes today's rules is flagged with what it breaks.
pub async fn directory(
    state: web::Data<AppState>,
    signed: Signed,
    shown: web::Query<Saved>,
) -> Result<HttpResponse, ConsoleError> {
    let staff = directory::entries::<StaffMember>(&state, &signed.caller).await?;
    let officers = directory::entries::<Officer>(&state, &signed.caller).await?;
    render(
        "directory.html",
        context! {
            frame => signed.frame(),
            lang => signed.session.language.code(),
            staff => serialized(&staff),
            officers => serialized(&officers),
            saved => shown.saved.is_some(),
        },
    )
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct ActiveForm {
    csrf: String,
    active: bool,
}

/// Makes someone in directory `E` active or inactive (`/console/directory/staff/…` and
/// `/console/directory/officers/…`); the rest of their entry stays as stored. Activating
/// checks the whole entry again as the API's `PUT` does; deactivating checks nothing, so
/// that an entry today's rules refuse can still be taken out of the work.
pub async fn set_active<E: KeptDirectory>(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, ConsoleError>
where
    E::Fields: Send + utoipa::ToSchema,
{
    signed.check_csrf(&form.csrf)?;
    signed.caller.require_supervisor()?;
    if !form.active {
        directory::deactivate::<E>(&state, &signed.caller, &path)
            .await?
            .ok_or_else(not_in_directory)?;
        return Ok(see_other("/console/directory?saved=1"));
    }
    let nip = Nip::parse(&path).map_err(|_| not_in_directory())?;
    let entry = state
        .store
        .directory_entry::<E>(&nip, state.intake_rules())
        .await?
        .ok_or_else(not_in_directory)?;
    let mut fields = entry.fields();
    fields.set_active(form.active);
    directory::save::<E>(&state, &signed.caller, nip.as_str(), fields).await?;
    Ok(see_other("/console/directory?saved=1"))
}

/// A button names someone who is in the directory; any other NIP is an address that
/// leads nowhere.
fn not_in_directory() -> ConsoleError {
    ApiError::RouteNotFound.into()
}

/// The routing rules in the order they are tried, through the API's own reading: a rule
/// that no longer reads (its unit left the catalogue) is flagged with its problems, to
/// be fixed through the API.
pub async fn routing(
    state: web::Data<AppState>,
    signed: Signed,
) -> Result<HttpResponse, ConsoleError> {
    let rules = routing_rules::rules(&state, &signed.caller).await?;
    render(
        "routing.html",
        context! {
            frame => signed.frame(),
            lang => signed.session.language.code(),
            rules => serialized(&rules.rules),
            broken => rules.broken,
            default_queue => rules.default_queue,
        },
    )
}

/// The audit's filters as the console's form sends them: an empty field is no filter.
#[derive(Deserialize)]
pub struct AuditForm {
    ticket: Option<String>,
    actor: Option<String>,
    cursor: Option<String>,
}

/// Who looked at which personal data, newest first, a page at a time, through the API's
/// own query.
pub async fn audit(
    state: web::Data<AppState>,
    signed: Signed,
    request: HttpRequest,
    form: web::Query<AuditForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    let (ticket, actor) = (filled_in(form.ticket), filled_in(form.actor));
    let query = AuditQuery {
        ticket: ticket.clone(),
        actor: actor.clone(),
        cursor: filled_in(form.cursor),
        ..AuditQuery::default()
    };
    let (entries, cursor) =
        audit::page(&state, &signed.caller, query, AuditOrder::NewestFirst).await?;
    render(
        "audit.html",
        context! {
            frame => signed.frame(),
            lang => signed.session.language.code(),
            entries => serialized(&entries),
            next => cursor.map(|cursor| next_link(&request, &cursor)),
            ticket => ticket.unwrap_or_default(),
            actor => actor.unwrap_or_default(),
        },
    )
}
