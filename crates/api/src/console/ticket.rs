//! A ticket as the RA works it: the requester's data (the NIK in full for staff, the
//! view audited as in the API), the scans inline beside it, the warnings, the history as
//! a timeline, comments, the authority's side, and exactly the actions the domain offers
//! this person in this state, each with the fields it asks for. A page that went stale
//! is told what changed instead of acting on what it no longer shows.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::lifecycle::{
    ActionKind, Finding, HistoryKind, ProfileState, RequesterStep, offered, sees_internal,
    sees_nik_unmasked,
};
use certdesk_domain::{CertificateStatus, Language, Message};
use chrono::{DateTime, Utc};
use minijinja::{Value, context};
use serde::Deserialize;

use super::page::{ConsoleError, render_with_status, see_other};
use super::session::Signed;
use crate::error::ApiError;
use crate::rate_limits::RateLimits;
use crate::routes::tickets::actions::{ActionRequest, perform};
use crate::routes::tickets::attachment::{Disposition, serve};
use crate::routes::tickets::comments::record;
use crate::routes::tickets::get::ticket_view;
use crate::routes::tickets::history::HistoryEntry;
use crate::routes::tickets::visible_ticket;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Shown {
    /// The action just taken, to confirm it.
    done: Option<String>,
}

/// What a page says above the ticket.
enum Banner {
    None,
    Done(ActionKind),
    Commented,
    /// The action was refused: the API's message and the rules broken.
    Refused(ApiError),
    /// The ticket changed since the page was drawn: what happened since.
    Stale {
        seen_at: DateTime<Utc>,
    },
}

pub async fn show(
    state: web::Data<AppState>,
    signed: Signed,
    request: HttpRequest,
    path: web::Path<String>,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, ConsoleError> {
    let banner = match shown.done.as_deref() {
        Some("comment") => Banner::Commented,
        Some(code) => ActionKind::from_code(code).map_or(Banner::None, Banner::Done),
        None => Banner::None,
    };
    page(&state, &signed, &request, &path, banner).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    /// The ticket's version when the page was drawn.
    version: i32,
    /// When the page was drawn: a stale page is shown what happened since.
    seen_at: DateTime<Utc>,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    assignee_nip: String,
    #[serde(default)]
    certificate_status: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    enrolment_locked: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    step: String,
}

/// An empty field of a form is a field not filled in.
fn given(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

pub async fn act(
    state: web::Data<AppState>,
    signed: Signed,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    signed.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let action = form.action.clone();
    let finding = given(&form.certificate_status).is_some();
    let outcome = perform(
        &state,
        &signed.caller,
        &path,
        || Ok(form.version),
        ActionRequest {
            action: form.action,
            reason: given(&form.reason),
            assignee_nip: given(&form.assignee_nip),
            certificate_status: given(&form.certificate_status),
            // What goes with a finding is sent only with one: an action that takes
            // none is not refused for the form's defaults.
            profile: given(&form.profile).filter(|_| finding),
            valid_until: given(&form.valid_until).filter(|_| finding),
            enrolment_locked: (finding && form.enrolment_locked == "on").then_some(true),
            note: given(&form.note).filter(|_| finding),
            step: given(&form.step),
        },
    )
    .await;
    match outcome {
        Ok(ticket) => Ok(see_other(&format!(
            "/console/tickets/{}?done={}",
            ticket.number,
            ActionKind::from_code(&action).map_or("", ActionKind::code)
        ))),
        Err(ApiError::StaleVersion { .. }) => {
            let banner = Banner::Stale {
                seen_at: form.seen_at,
            };
            page(&state, &signed, &request, &path, banner).await
        }
        // Refused by the rules (a field, who may act, the ticket's state): said above
        // the page; anything else is an error page.
        Err(refused)
            if matches!(
                refused.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN | StatusCode::CONFLICT
            ) =>
        {
            page(&state, &signed, &request, &path, Banner::Refused(refused)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    body: String,
    #[serde(default)]
    internal: String,
}

pub async fn comment(
    state: web::Data<AppState>,
    limits: web::Data<RateLimits>,
    signed: Signed,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, ConsoleError> {
    signed.check_csrf(&form.csrf)?;
    let internal = form.internal == "on";
    match record(
        &state,
        &limits,
        &signed.caller,
        &request,
        &path,
        &form.body,
        internal,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/console/tickets/{path}?done=comment"))),
        Err(refused)
            if matches!(
                refused.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN
            ) =>
        {
            page(&state, &signed, &request, &path, Banner::Refused(refused)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// A scan or a file of the ticket, shown in the page (images) or downloaded, recorded
/// in the history and the audit like the API's download.
pub async fn attachment(
    state: web::Data<AppState>,
    signed: Signed,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (number, kind) = path.into_inner();
    Ok(serve(
        &state,
        &signed.caller,
        &request,
        &number,
        &kind,
        Disposition::Inline,
    )
    .await?)
}

async fn page(
    state: &AppState,
    signed: &Signed,
    request: &HttpRequest,
    number: &str,
    banner: Banner,
) -> Result<HttpResponse, ConsoleError> {
    let language = signed.session.language;
    let ticket = visible_ticket(state, &signed.caller, number).await?;
    let facts = ticket.facts();
    let actor = &signed.session.actor;
    let actions: Vec<Value> = offered(&facts, actor)
        .into_iter()
        .map(|kind| {
            context! {
                code => kind.code(),
                title => language.pick(&kind.title()),
                reason_required => kind.reason_required(),
                reason_taken => kind.reason_required() || matches!(kind, ActionKind::Resolve | ActionKind::Cancel | ActionKind::Close | ActionKind::Reply),
                finding => match kind.finding() {
                    Finding::Required => "required",
                    Finding::Optional => "optional",
                    Finding::NotTaken => "no",
                },
                step => kind == ActionKind::SendAuthorityLink,
                assign => kind == ActionKind::Assign,
            }
        })
        .collect();
    let number = ticket.number;
    let internal = sees_internal(actor);
    // A KTP scan shows the NIK: drawn in the page only for those who see it unmasked
    // (RA staff, the requester); others get a link, which is a download and audited.
    let scans_inline = sees_nik_unmasked(actor, &facts);
    let history: Vec<HistoryEntry> = state
        .store
        .history(number, internal)
        .await?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    let view = ticket_view(state, request, &signed.caller, ticket).await?;
    let now = Utc::now();
    let (status, banner) = banner_context(&banner, &history, language);
    render_with_status(
        status,
        "ticket.html",
        context! {
            frame => signed.frame(),
            lang => language.code(),
            ticket => super::page::serialized(&view),
            status_title => language.pick(&view.status.title()),
            history => super::page::serialized(&history),
            actions => actions,
            internal_comments => internal,
            scans_inline => scans_inline,
            seen_at => now.to_rfc3339(),
            banner => banner,
            certificate_statuses => CertificateStatus::ALL.iter().map(|s| s.label()).collect::<Vec<_>>(),
            profiles => ProfileState::ALL.iter().map(|p| p.code()).collect::<Vec<_>>(),
            steps => RequesterStep::ALL.iter().map(|s| context! { code => s.code(), title => language.pick(&s.title()) }).collect::<Vec<_>>(),
        },
    )
}

/// The banner's words, and the status the page is answered with.
fn banner_context(
    banner: &Banner,
    history: &[HistoryEntry],
    language: Language,
) -> (StatusCode, Value) {
    let say =
        |kind: &str, message: Message| context! { kind => kind, text => language.pick(&message) };
    match banner {
        Banner::None => (StatusCode::OK, Value::from(())),
        Banner::Done(kind) => (
            StatusCode::OK,
            say(
                "done",
                Message::new(
                    format!("Tindakan \u{201c}{}\u{201d} tercatat.", kind.title().id),
                    format!("\u{201c}{}\u{201d} recorded.", kind.title().en),
                ),
            ),
        ),
        Banner::Commented => (
            StatusCode::OK,
            say(
                "done",
                Message::new("Komentar tercatat.", "Comment recorded."),
            ),
        ),
        Banner::Refused(error) => {
            let problem = error.problem();
            let mut context = say("refused", problem.message.clone());
            let rules: Vec<String> = problem
                .errors
                .iter()
                .map(|p| format!("{}: {}", p.field, language.pick(&p.message)))
                .collect();
            context = context! { rules => rules, ..context };
            (actix_web::ResponseError::status_code(error), context)
        }
        Banner::Stale { seen_at } => {
            // What people changed, not who looked: downloads (this page's own scans among
            // them) are left out, and so are the clocks that followed a change.
            let since: Vec<&HistoryEntry> = history
                .iter()
                .filter(|h| {
                    h.at > *seen_at
                        && !matches!(h.kind, HistoryKind::Download | HistoryKind::ServiceLevel)
                })
                .collect();
            let context = say(
                "stale",
                Message::new(
                    "Tiket ini berubah sejak halaman Anda dibuka, sehingga tindakan Anda tidak dijalankan. Inilah yang berubah; periksa lalu coba lagi bila masih perlu.",
                    "This ticket changed since your page was opened, so your action was not taken. Here is what changed; check it and try again if it is still needed.",
                ),
            );
            (
                StatusCode::CONFLICT,
                context! { changes => super::page::serialized(&since), ..context },
            )
        }
    }
}
