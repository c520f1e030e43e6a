//! The signed-in session: the cookie carries a random token, the store keeps who it
//! names (by the token's digest) until it expires or they sign out. Every form of a
//! session carries its CSRF token, compared in constant time; the cookie is `HttpOnly`,
//! `Secure` and `SameSite=Strict` besides.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use certdesk_store::ConsoleSession;
use chrono::Utc;
use minijinja::{Value, context};
use subtle::ConstantTimeEq;

use super::page::ConsoleError;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "certdesk_console";

/// A random token of 256 bits, in hex: a session's cookie or its CSRF token.
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The session cookie: only for the console's paths, never read by a script, never sent
/// over plain HTTP (browsers allow it on loopback), never on another site's request.
pub fn cookie(token: &str) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_owned())
        .path("/console")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .finish()
}

/// Someone signed in to the console.
pub struct Signed {
    pub token: String,
    pub session: ConsoleSession,
    /// As the API would see them: the same permissions, through the same checks.
    pub caller: Caller,
}

impl Signed {
    /// A form's token must be this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ConsoleError> {
        if bool::from(sent.as_bytes().ct_eq(self.session.csrf.as_bytes())) {
            Ok(())
        } else {
            tracing::warn!("console form refused: its CSRF token is not the session's");
            Err(ApiError::FormForged.into())
        }
    }

    /// What every page's frame needs.
    pub fn frame(&self) -> Value {
        let actor = &self.session.actor;
        context! {
            lang => self.session.language.code(),
            signed_in => true,
            nip => actor.nip.as_str(),
            roles => actor.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            csrf => &self.session.csrf,
            is_staff => self.caller.is_staff(),
            is_supervisor => self.caller.is_supervisor(),
            is_officer => actor.has(certdesk_domain::lifecycle::Role::Officer),
        }
    }
}

impl FromRequest for Signed {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let token = request
                .cookie(COOKIE)
                .map(|c| c.value().to_owned())
                .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .ok_or(ConsoleError::SignIn)?;
            let state = request
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("state missing")))?;
            let session = state
                .store
                .console_session(&token, Utc::now())
                .await
                .map_err(ApiError::from)?
                .ok_or(ConsoleError::SignIn)?;
            Ok(Self {
                caller: Caller::Person(session.actor.clone()),
                token,
                session,
            })
        })
    }
}
