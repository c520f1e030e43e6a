//! Verifying a request's credential into a [`Caller`], and the extractor that does it
//! for every handler that names a `Caller`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use certdesk_domain::Nip;
use certdesk_domain::lifecycle::{Actor, Role};
use certdesk_store::Store;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::caller::Caller;
use super::jwks::Jwks;
use super::local_key::{LOCAL_ISSUER, LocalKey};
use crate::error::ApiError;
use crate::rate_limits::RateLimits;
use crate::settings::AuthSettings;

/// The claims we read. `iss`, `aud` (a string or an array) and `exp` are checked by
/// jsonwebtoken itself against the raw token; this is what remains to interpret.
#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: String,
    #[serde(flatten)]
    extra: HashMap<String, serde_json::Value>,
}

/// Verifies credentials. Built once at start and shared as app data; holds the store
/// for looking up integrators' API tokens.
pub struct Authenticator {
    settings: AuthSettings,
    local: Option<LocalKey>,
    jwks: Option<Jwks>,
    store: Store,
}

/// Why a credential was refused; logged, never told to the client in detail.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer credential")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The credential could not be checked (the token store is unreachable): not the
    /// caller's fault, so neither a 401 nor a failure counted against the address.
    #[error("the credential could not be checked: {0}")]
    Unchecked(String),
}

impl Authenticator {
    pub fn new(settings: &AuthSettings, store: Store) -> anyhow::Result<Self> {
        // Behind the SSO, a key on local disk must not be able to mint a supervisor.
        let local_allowed = settings.jwks_url.is_none() || settings.allow_local_tokens;
        let local = match (&settings.local_key_file, local_allowed) {
            (Some(path), true) => Some(LocalKey::load_or_create(path)?),
            _ => None,
        };
        let jwks = match &settings.jwks_url {
            Some(url) => Some(Jwks::new(
                url.clone(),
                Duration::from_secs(settings.jwks_min_refresh_secs),
                Duration::from_secs(settings.jwks_max_age_secs),
            )?),
            None => None,
        };
        anyhow::ensure!(
            local.is_some() || jwks.is_some(),
            "authentication needs auth.jwks_url or auth.local_key_file"
        );
        anyhow::ensure!(
            jwks.is_none() || !settings.issuer.is_empty(),
            "auth.issuer must name the SSO's issuer when auth.jwks_url is set"
        );
        Ok(Self {
            settings: settings.clone(),
            local,
            jwks,
            store,
        })
    }

    async fn verify_jwt(&self, token: &str) -> Result<Actor, AuthError> {
        Ok(self.verify(token).await?.0)
    }

    /// The person a JWT names and its `exp`, in seconds since the epoch.
    async fn verify(&self, token: &str) -> Result<(Actor, Option<i64>), AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let (key, algorithm, issuer) = match (header.alg, &self.local, &self.jwks) {
            (Algorithm::HS256, Some(local), _) => {
                (local.decoding_key(), Algorithm::HS256, LOCAL_ISSUER)
            }
            (alg, _, Some(jwks)) if alg != Algorithm::HS256 => {
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| AuthError::Invalid("no key id".into()))?;
                let found = jwks
                    .key(kid)
                    .await
                    .ok_or_else(|| AuthError::Invalid(format!("unknown key id {kid}")))?;
                if !found.algorithms.contains(&alg) {
                    return Err(AuthError::Invalid(
                        "algorithm does not match the key".into(),
                    ));
                }
                (found.key, alg, self.settings.issuer.as_str())
            }
            (alg, _, _) => {
                return Err(AuthError::Invalid(format!(
                    "algorithm {alg:?} not accepted"
                )));
            }
        };
        // One algorithm only, the key's: a token cannot choose how it is checked.
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.settings.leeway_secs;
        let data = jsonwebtoken::decode::<TokenClaims>(token, &key, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        let nip = Nip::parse(&data.claims.sub)
            .map_err(|_| AuthError::Invalid("sub is not a NIP".into()))?;
        let roles = roles_at(&data.claims.extra, &self.settings.roles_claim);
        let expires = data
            .claims
            .extra
            .get("exp")
            .and_then(serde_json::Value::as_i64);
        Ok((Actor { nip, roles }, expires))
    }

    /// The person a JWT names, and when the token expires (the console's sign-in with a
    /// pasted token: its session lasts no longer). API tokens of integrators are not
    /// people and sign nobody in.
    pub async fn person(
        &self,
        token: &str,
    ) -> Result<(Actor, Option<chrono::DateTime<chrono::Utc>>), AuthError> {
        let (actor, expires) = self.verify(token.trim()).await?;
        Ok((
            actor,
            expires.and_then(|secs| chrono::DateTime::from_timestamp(secs, 0)),
        ))
    }

    pub async fn authenticate(&self, request: &HttpRequest) -> Result<Caller, AuthError> {
        let token = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        if token.starts_with("cdk_") {
            let record = self
                .store
                .api_token(token)
                .await
                .map_err(|e| AuthError::Unchecked(format!("token lookup failed: {e}")))?
                .ok_or_else(|| AuthError::Invalid("unknown or revoked API token".into()))?;
            return Ok(Caller::Integrator {
                name: record.name,
                scopes: record.scopes,
            });
        }
        Ok(Caller::Person(self.verify_jwt(token).await?))
    }
}

/// The roles found at `path` in the claims: a claim name, or a dotted path into nested
/// objects (`realm_access.roles`), holding an array or a space-separated string.
/// Unknown role names are ignored.
pub(crate) fn roles_at(claims: &HashMap<String, serde_json::Value>, path: &str) -> Vec<Role> {
    let mut steps = path.split('.');
    let found = steps
        .next()
        .and_then(|first| claims.get(first))
        .and_then(|value| steps.try_fold(value, |value, step| value.get(step)));
    match found {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str())
            .filter_map(Role::from_code)
            .collect(),
        Some(serde_json::Value::String(text)) => text
            .split_whitespace()
            .filter_map(Role::from_code)
            .collect(),
        _ => Vec::new(),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let authenticator = request
                .app_data::<web::Data<Authenticator>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("authenticator missing")))?;
            // An address that kept failing is refused before its token is even read, so
            // that guessing tokens from it goes nowhere.
            let limits = request.app_data::<web::Data<RateLimits>>().cloned();
            let address = limits.as_ref().and_then(|l| l.client_address(&request));
            if let Some(limits) = &limits {
                limits.authentication_allowed(address)?;
            }
            match authenticator.authenticate(&request).await {
                Ok(caller) => Ok(caller),
                Err(AuthError::Unchecked(error)) => {
                    tracing::warn!(%error, "the credential could not be checked");
                    Err(ApiError::Unavailable)
                }
                Err(AuthError::Missing) => {
                    tracing::info!("request not authenticated: no bearer credential");
                    Err(ApiError::Unauthenticated)
                }
                // Only a credential that was wrong counts: a client that sends none is
                // misconfigured, not guessing. Why it was refused goes to the log (never
                // the token); the client learns that it was not accepted.
                Err(error) => {
                    tracing::info!(%error, "credential not accepted");
                    if let Some(limits) = &limits {
                        limits.authentication_failed(address);
                    }
                    Err(ApiError::TokenNotAccepted)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: serde_json::Value) -> HashMap<String, serde_json::Value> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn roles_come_from_a_claim_or_a_nested_path() {
        let flat = claims(serde_json::json!({ "roles": ["agent", "unknown"] }));
        assert_eq!(roles_at(&flat, "roles"), [Role::Agent]);
        let spaced = claims(serde_json::json!({ "roles": "requester officer" }));
        assert_eq!(roles_at(&spaced, "roles"), [Role::Requester, Role::Officer]);
        let nested = claims(serde_json::json!({ "realm_access": { "roles": ["supervisor"] } }));
        assert_eq!(roles_at(&nested, "realm_access.roles"), [Role::Supervisor]);
        assert_eq!(roles_at(&nested, "realm_access.missing"), []);
        assert_eq!(roles_at(&nested, "roles"), []);
    }
}
