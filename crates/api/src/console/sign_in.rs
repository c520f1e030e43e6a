//! Signing in and out, and the language of the pages. With no SSO configured, a person
//! signs in with a token from `certdesk token issue` (the embedded default's way in); the
//! token is checked exactly as the API checks it, and only people sign in.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::Language;
use certdesk_store::ConsoleSession;
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;

use super::page::{ConsoleError, render, render_with_status, see_other};
use super::session::{Signed, cookie, random_token};
use super::sso::SignIns;
use crate::auth::Authenticator;
use crate::error::ApiError;
use crate::rate_limits::RateLimits;
use crate::state::AppState;

pub async fn form(sign_ins: web::Data<SignIns>) -> Result<HttpResponse, ConsoleError> {
    render(
        "sign_in.html",
        context! { lang => "id", refused => false, sso => sign_ins.sso.is_some(), token => sign_ins.token },
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    token: String,
}

pub async fn submit(
    state: web::Data<AppState>,
    sign_ins: web::Data<SignIns>,
    authenticator: web::Data<Authenticator>,
    limits: web::Data<RateLimits>,
    request: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ConsoleError> {
    same_origin(&request, &sign_ins.origin)?;
    if !sign_ins.token {
        return Err(ApiError::TokenSignInOff.into());
    }
    let address = limits.client_address(&request);
    limits.authentication_allowed(address)?;
    let (actor, token_expires) = match authenticator.person(&form.token).await {
        Ok((actor, expires)) if !actor.roles.is_empty() => (actor, expires),
        outcome => {
            if let Err(error) = outcome {
                tracing::info!(%error, "console sign-in refused");
            }
            limits.authentication_failed(address);
            return render_with_status(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "sign_in.html",
                context! { lang => "id", refused => true, sso => sign_ins.sso.is_some(), token => true },
            );
        }
    };
    let token = random_token()?;
    // Indonesian unless they chose English before.
    let language = state
        .store
        .console_language(&actor.nip)
        .await
        .map_err(ApiError::from)?
        .unwrap_or_default();
    let session = ConsoleSession {
        actor,
        language,
        csrf: random_token()?,
        // No longer than the token it was opened with.
        expires_at: (Utc::now() + chrono::Duration::hours(sign_ins.session_hours))
            .min(token_expires.unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)),
    };
    // A session this browser still names ends: one person, one session per browser.
    if let Some(old) = request.cookie(super::session::COOKIE) {
        state
            .store
            .end_console_session(old.value())
            .await
            .map_err(ApiError::from)?;
    }
    state
        .store
        .open_console_session(&token, &session, Utc::now())
        .await
        .map_err(ApiError::from)?;
    tracing::info!(roles = ?session.actor.roles, "console session opened");
    let mut response = see_other("/console/");
    response
        .add_cookie(&cookie(&token))
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    signed.check_csrf(&form.csrf)?;
    state
        .store
        .end_console_session(&signed.token)
        .await
        .map_err(ApiError::from)?;
    let mut response = see_other("/console/sign-in");
    let mut gone = cookie("");
    gone.make_removal();
    response
        .add_cookie(&gone)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf: String,
    language: String,
    back: String,
}

pub async fn language(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, ConsoleError> {
    signed.check_csrf(&form.csrf)?;
    let language = Language::from_code(&form.language).unwrap_or_default();
    state
        .store
        .set_console_language(&signed.token, &signed.session.actor.nip, language)
        .await
        .map_err(ApiError::from)?;
    // Back to the page it was chosen on, and nowhere else.
    let back = if form.back.starts_with("/console/")
        && !form.back.contains("//")
        && form.back.bytes().all(|b| b.is_ascii_graphic())
    {
        form.back.as_str()
    } else {
        "/console/"
    };
    Ok(see_other(back))
}

/// A sign-in posted from another site is refused (login CSRF): the browser says where a
/// form came from in `Origin`, and it must be the desk (`console.public_url`), or this
/// host as the request names it.
fn same_origin(request: &HttpRequest, public: &str) -> Result<(), ConsoleError> {
    let info = request.connection_info();
    let this = format!("{}://{}", info.scheme(), info.host());
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    match origin {
        Some(origin) if origin == public || origin == this => Ok(()),
        _ => Err(ApiError::FormForged.into()),
    }
}
