//! The RA console: pages for the people who work the desk, rendered on the server from
//! the same decisions and store as the API. Every permission is the API's own: a page
//! calls the routes' functions (`perform`, `record`, `ticket_view`, `serve`), never a
//! rule of its own. Pages work without JavaScript; `console.js` adds the keyboard.
//!
//! - `session.rs`: the signed-in session (a cookie naming a server-side row) and the
//!   CSRF token every form carries.
//! - `sign_in.rs`: signing in with a token, signing out, the language.
//! - `sso.rs`: signing in through the ministry's OpenID provider (code flow, PKCE).
//! - `queues.rs`: the queues and a queue's tickets; an officer's endorsements.
//! - `supervision.rs`: what supervisors look after: dead letters, the directories,
//!   the routing rules, the audit.
//! - `ticket.rs`: a ticket, its actions and comments, its scans inline.
//! - `page.rs`: templates and the console's error pages.

mod page;
mod queues;
mod session;
mod sign_in;
mod sso;
mod supervision;
mod ticket;

use actix_web::http::header;

use actix_web::{HttpResponse, web};
use certdesk_domain::Officer;
use certdesk_domain::staff::StaffMember;
pub use sso::SignIns;

/// The console's Content-Security-Policy: its own script, style and images only, no
/// inline script, forms only to itself, never in a frame.
pub const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .app_data(form_config())
            .app_data(query_config())
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .route("/sign-in", web::get().to(sign_in::form))
            .route("/sign-in", web::post().to(sign_in::submit))
            .route("/sign-out", web::post().to(sign_in::sign_out))
            .route("/sso", web::get().to(sso::start))
            .route("/sso/callback", web::get().to(sso::callback))
            .route("/language", web::post().to(sign_in::language))
            .route("/queues", web::get().to(queues::index))
            .route("/endorsements", web::get().to(queues::endorsements))
            .route("/dead-letters", web::get().to(supervision::dead_letters))
            .route(
                "/dead-letters/{id}/requeue",
                web::post().to(supervision::requeue),
            )
            .route("/directory", web::get().to(supervision::directory))
            .route(
                "/directory/staff/{nip}/active",
                web::post().to(supervision::set_active::<StaffMember>),
            )
            .route(
                "/directory/officers/{nip}/active",
                web::post().to(supervision::set_active::<Officer>),
            )
            .route("/routing", web::get().to(supervision::routing))
            .route("/audit", web::get().to(supervision::audit))
            .route("/queues/{queue}", web::get().to(queues::list))
            .route("/tickets/{number}", web::get().to(ticket::show))
            .route("/tickets/{number}/actions", web::post().to(ticket::act))
            .route(
                "/tickets/{number}/comments",
                web::post().to(ticket::comment),
            )
            .route(
                "/tickets/{number}/attachments/{kind}",
                web::get().to(ticket::attachment),
            )
            .route("/static/{file}", web::get().to(asset)),
    );
}

/// Forms the console posts: a comment of the longest allowed text in any script fits;
/// a form that does not read (a version that is not a number, say) is a page that
/// says so, not JSON.
fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|error, _| unreadable(&error.to_string()))
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| unreadable(&error.to_string()))
}

fn unreadable(error: &str) -> actix_web::Error {
    tracing::info!(%error, "console form or query refused");
    page::ConsoleError::Api(crate::error::ApiError::UnreadableForm).into()
}

/// Where a signed-in person starts: the queues for RA staff, the endorsements waiting
/// for an officer.
async fn home(signed: session::Signed) -> Result<HttpResponse, page::ConsoleError> {
    if signed.caller.is_staff() {
        return Ok(page::see_other("/console/queues"));
    }
    if signed
        .session
        .actor
        .has(certdesk_domain::lifecycle::Role::Officer)
    {
        return Ok(page::see_other("/console/endorsements"));
    }
    Err(crate::error::ApiError::ConsoleNotForRequesters.into())
}

/// The stylesheet, the script and the icon, compiled in, cached for an hour.
async fn asset(file: web::Path<String>) -> HttpResponse {
    let (body, content_type) = match file.as_str() {
        "console.css" => (
            include_str!("../../console/static/console.css"),
            "text/css; charset=utf-8",
        ),
        "console.js" => (
            include_str!("../../console/static/console.js"),
            "text/javascript; charset=utf-8",
        ),
        // Every page names it: a browser that finds none asks for /favicon.ico, a 404.
        "favicon.svg" => (
            include_str!("../../console/static/favicon.svg"),
            "image/svg+xml",
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}
