//! What supervisors look after in the console: emails the desk gave up on, sent again
//! once the cause is fixed (the API's own requeue).

use actix_web::{HttpResponse, web};
use minijinja::context;
use serde::Deserialize;

use super::page::{ConsoleError, render, see_other, serialized};
use super::session::Signed;
use crate::routes::outbox::requeue_one;
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
