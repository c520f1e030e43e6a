//! Signing in through the ministry's SSO: OpenID Connect's authorization code flow with
//! PKCE (S256), a `state` bound to the browser by a cookie and kept once on the server,
//! and a `nonce` the ID token must carry (openidconnect checks its signature against the
//! provider's keys, its issuer, audience, expiry and nonce). The person is the token's
//! `sub` (their NIP) with the roles at `auth.roles_claim`, exactly as for the API.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use certdesk_domain::Nip;
use certdesk_domain::lifecycle::Actor;
use certdesk_store::{ConsoleSession, PendingSignIn};
use chrono::Utc;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope,
};
use secrecy::ExposeSecret;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::page::{ConsoleError, see_other};
use super::session::{cookie, random_token};
use crate::error::ApiError;
use crate::rate_limits::RateLimits;
use crate::settings::{AuthSettings, ConsoleSettings};
use crate::state::AppState;
use std::time::Instant;

/// Binds a sign-in's `state` to the browser that began it.
const STATE_COOKIE: &str = "certdesk_sso";
/// How long a person has at the provider.
const SIGN_IN_MINUTES: i64 = 10;

/// How people may sign in to the console.
pub struct SignIns {
    pub sso: Option<Sso>,
    /// Pasting a token: with no SSO (the embedded default), or where local tokens are
    /// allowed beside it (`auth.allow_local_tokens`).
    pub token: bool,
    /// `console.session_hours`.
    pub session_hours: i64,
    /// `console.public_url`'s origin: where forms may come from.
    pub origin: String,
}

impl SignIns {
    pub fn new(console: &ConsoleSettings, auth: &AuthSettings) -> anyhow::Result<Self> {
        let sso = Sso::new(console, auth)?;
        Ok(Self {
            token: sso.is_none() || auth.allow_local_tokens,
            sso,
            session_hours: i64::try_from(console.session_hours).unwrap_or(10),
            origin: console.public_url.trim_end_matches('/').to_owned(),
        })
    }
}

/// The SSO as configured, its provider's metadata fetched on first use.
pub struct Sso {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    roles_claim: String,
    session_hours: i64,
    http: reqwest::Client,
    /// The provider's metadata and keys, and when they were fetched: fetched again once
    /// older than `auth.jwks_max_age_secs`, so rotated keys are picked up.
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
    max_age: Duration,
}

impl Sso {
    /// `None` when no provider is configured.
    fn new(console: &ConsoleSettings, auth: &AuthSettings) -> anyhow::Result<Option<Self>> {
        let Some(issuer) = console.sso_issuer.as_deref().filter(|i| !i.is_empty()) else {
            return Ok(None);
        };
        let redirect = format!(
            "{}/console/sso/callback",
            console.public_url.trim_end_matches('/')
        );
        Ok(Some(Self {
            issuer: IssuerUrl::new(issuer.to_owned())?,
            client_id: ClientId::new(console.sso_client_id.clone()),
            client_secret: console
                .sso_client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
            redirect: RedirectUrl::new(redirect)?,
            roles_claim: auth.roles_claim.clone(),
            session_hours: i64::try_from(console.session_hours).unwrap_or(10),
            // No redirects: a token endpoint that redirects is not followed (SSRF).
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            metadata: Mutex::new(None),
            max_age: Duration::from_secs(auth.jwks_max_age_secs),
        }))
    }

    /// The provider's metadata and keys, fetched when missing or older than their
    /// maximum age; a failed fetch is tried again at the next sign-in.
    async fn metadata(&self) -> Result<CoreProviderMetadata, ApiError> {
        let mut cached = self.metadata.lock().await;
        if let Some((fetched, metadata)) = cached.as_ref()
            && fetched.elapsed() < self.max_age
        {
            return Ok(metadata.clone());
        }
        let http = |request| call(&self.http, request);
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "the SSO's discovery failed");
                ApiError::Unavailable
            })?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// Forgets the metadata, so that the next sign-in fetches the provider's keys again
    /// (an ID token signed with a key we do not have yet).
    async fn forget_metadata(&self) {
        *self.metadata.lock().await = None;
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// openidconnect's HTTP, through our reqwest.
async fn call(
    client: &reqwest::Client,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, HttpError> {
    let (parts, body) = request.into_parts();
    let mut outgoing = client
        .request(parts.method, parts.uri.to_string())
        .body(body);
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing
        .send()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    answer
        .body(bytes.to_vec())
        .map_err(|e| HttpError(e.to_string()))
}

/// `GET /console/sso`: off to the provider.
pub async fn start(
    state: web::Data<AppState>,
    sign_ins: web::Data<SignIns>,
    limits: web::Data<RateLimits>,
    request: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    let sso = configured(&sign_ins)?;
    // Each start keeps a row for minutes: an address gets its allowance, and none once
    // it has failed too often.
    let address = limits.client_address(&request);
    limits.authentication_allowed(address)?;
    limits.address_allowed(address)?;
    let metadata = sso.metadata().await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        sso.client_id.clone(),
        sso.client_secret.clone(),
    )
    .set_redirect_uri(sso.redirect.clone());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("roles".into()))
        .set_pkce_challenge(challenge)
        .url();
    let now = Utc::now();
    state
        .store
        .begin_console_sign_in(
            csrf.secret(),
            &PendingSignIn {
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                expires_at: now + chrono::Duration::minutes(SIGN_IN_MINUTES),
            },
            now,
        )
        .await?;
    let mut response = see_other(url.as_str());
    // Lax, not Strict: the provider's redirect back is a navigation from its site.
    let binding = Cookie::build(STATE_COOKIE, csrf.secret().clone())
        .path("/console/sso")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::minutes(SIGN_IN_MINUTES))
        .finish();
    response
        .add_cookie(&binding)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /console/sso/callback`: the provider sends the person back with a code.
pub async fn callback(
    state: web::Data<AppState>,
    sign_ins: web::Data<SignIns>,
    limits: web::Data<RateLimits>,
    request: HttpRequest,
    answer: web::Query<Callback>,
) -> Result<HttpResponse, ConsoleError> {
    let sso = configured(&sign_ins)?;
    let address = limits.client_address(&request);
    limits.authentication_allowed(address)?;
    // A refusal of what came back (a state not this browser's, a code or ID token that
    // does not verify) counts as a failed authentication of the address, as a wrong
    // token does on the token sign-in.
    let refuse = || {
        limits.authentication_failed(address);
        refused()
    };
    if let Some(error) = &answer.error {
        // The provider's own answer (a person who cancelled, say): not a forgery.
        tracing::info!(%error, "the SSO refused the sign-in");
        return Err(refused());
    }
    let (Some(code), Some(returned)) = (&answer.code, &answer.state) else {
        return Err(refuse());
    };
    // The state must be the one this browser was sent off with, and still pending.
    let bound = request.cookie(STATE_COOKIE).map(|c| c.value().to_owned());
    if bound.as_deref() != Some(returned.as_str()) {
        tracing::warn!("SSO callback refused: its state is not this browser's");
        return Err(refuse());
    }
    let Some(pending) = state
        .store
        .take_console_sign_in(returned, Utc::now())
        .await?
    else {
        tracing::warn!("SSO callback refused: unknown, used or expired state");
        return Err(refuse());
    };
    let metadata = sso.metadata().await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        sso.client_id.clone(),
        sso.client_secret.clone(),
    )
    .set_redirect_uri(sso.redirect.clone());
    let http = |request| call(&sso.http, request);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .map_err(|e| ApiError::internal(anyhow::anyhow!("SSO token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO code exchange failed");
            refuse()
        })?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).ok_or_else(refuse)?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO ID token refused");
            e
        });
    let claims = match claims {
        Ok(claims) => claims,
        Err(error) => {
            if matches!(
                error,
                openidconnect::ClaimsVerificationError::SignatureVerification(_)
            ) {
                sso.forget_metadata().await;
            }
            return Err(refuse());
        }
    };
    let nip = Nip::parse(claims.subject().as_str()).map_err(|_| {
        tracing::warn!("SSO ID token refused: its subject is not a NIP");
        refuse()
    })?;
    // The token is verified; its payload is read again for the roles claim, which may be
    // nested (`realm_access.roles`) and is not one openidconnect models.
    let roles = roles_of(&id_token.to_string(), &sso.roles_claim);
    if roles.is_empty() {
        tracing::info!("SSO sign-in refused: the token grants no role here");
        return Err(ApiError::NoRoleAtDesk.into());
    }
    let actor = Actor { nip, roles };
    let language = state
        .store
        .console_language(&actor.nip)
        .await?
        .unwrap_or_default();
    let token = random_token()?;
    let session = ConsoleSession {
        actor,
        language,
        csrf: random_token()?,
        expires_at: Utc::now() + chrono::Duration::hours(sso.session_hours),
    };
    state
        .store
        .open_console_session(&token, &session, Utc::now())
        .await?;
    tracing::info!(roles = ?session.actor.roles, "console session opened through the SSO");
    // Not a redirect: this request is still the navigation the provider's site began,
    // and a redirect from it would not carry the new SameSite=Strict cookie. A page of
    // ours moves on, and that navigation is our own.
    let mut response = super::page::render(
        "signed_in.html",
        minijinja::context! { lang => language.code() },
    )?;
    response
        .add_cookie(&cookie(&token))
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cookie: {e}")))?;
    let mut spent = Cookie::build(STATE_COOKIE, "")
        .path("/console/sso")
        .finish();
    spent.make_removal();
    response
        .add_cookie(&spent)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

fn configured(sign_ins: &SignIns) -> Result<&Sso, ConsoleError> {
    sign_ins
        .sso
        .as_ref()
        .ok_or_else(|| ConsoleError::Api(ApiError::SsoNotConfigured))
}

fn refused() -> ConsoleError {
    ConsoleError::Api(ApiError::SsoIncomplete)
}

/// The roles in a verified JWT's payload.
fn roles_of(jwt: &str, claim: &str) -> Vec<certdesk_domain::lifecycle::Role> {
    let claims: HashMap<String, serde_json::Value> = jwt
        .split('.')
        .nth(1)
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    crate::auth::roles_at(&claims, claim)
}
