//! Who is calling. Every request but health checks carries `Authorization: Bearer …`:
//! either a JWT (from the ministry's OIDC provider, verified against its JWKS; or, for the
//! embedded setup and tests, signed with a locally configured key) or an integrator's API
//! token (`cdk_…`). The NIP is the JWT's `sub`; roles come from a configurable claim.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use certdesk_domain::lifecycle::{Actor, Role};
use certdesk_domain::{Message, Nip};
use certdesk_store::{HistoryActor, Store};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

use crate::config::AuthSettings;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// What an integrator's token may do.
pub mod scope {
    /// File tickets on behalf of any requester.
    pub const TICKETS_WRITE: &str = "tickets:write";
    /// Read any ticket, its attachments and history.
    pub const TICKETS_READ: &str = "tickets:read";
    pub const ALL: [&str; 2] = [TICKETS_WRITE, TICKETS_READ];
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A person, by NIP, with the roles their token grants.
    Person(Actor),
    /// An integrator's API token.
    Integrator { name: String, scopes: Vec<String> },
}

impl Caller {
    /// How history records this caller.
    pub fn history_actor(&self, capacity: &str) -> HistoryActor {
        match self {
            Self::Person(actor) => HistoryActor {
                id: actor.nip.clone(),
                role: capacity.to_owned(),
            },
            Self::Integrator { name, .. } => HistoryActor {
                id: format!("token:{name}"),
                role: "integrator".to_owned(),
            },
        }
    }

    pub fn person(&self) -> Option<&Actor> {
        match self {
            Self::Person(actor) => Some(actor),
            Self::Integrator { .. } => None,
        }
    }

    pub fn has_scope(&self, wanted: &str) -> bool {
        matches!(self, Self::Integrator { scopes, .. } if scopes.iter().any(|s| s == wanted))
    }

    /// RA staff: agents and supervisors.
    pub fn is_staff(&self) -> bool {
        self.person().is_some_and(Actor::is_agent)
    }

    pub fn is_supervisor(&self) -> bool {
        self.person().is_some_and(|a| a.has(Role::Supervisor))
    }

    /// RA staff only (queues and their pages).
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.is_staff() {
            return Ok(());
        }
        Err(ApiError::Forbidden {
            code: ErrorCode::NotPermitted,
            message: Message::new("Hanya untuk petugas RA.", "For RA staff only."),
        })
    }

    /// Supervisors only (routing rules, the officers' directory).
    pub fn require_supervisor(&self) -> Result<(), ApiError> {
        if self.is_supervisor() {
            return Ok(());
        }
        Err(ApiError::Forbidden {
            code: ErrorCode::NotPermitted,
            message: Message::new("Hanya untuk supervisor.", "For supervisors only."),
        })
    }

    /// Who owns what this caller creates, such as idempotency keys: the NIP of a person,
    /// `token:<name>` for an integrator.
    pub fn principal(&self) -> String {
        match self {
            Self::Person(actor) => actor.nip.clone(),
            Self::Integrator { name, .. } => format!("token:{name}"),
        }
    }

    /// The NIP of a person; `None` for integrators.
    pub fn nip(&self) -> Option<&str> {
        self.person().map(|a| a.nip.as_str())
    }
}

/// The issuer of tokens minted with the local key. Never the SSO's: a local token can
/// only pass where local tokens are allowed.
pub const LOCAL_ISSUER: &str = "certdesk-local";

/// The claims we read. `iss`, `aud` (a string or an array) and `exp` are checked by
/// jsonwebtoken itself against the raw token; this is what remains to interpret.
#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: String,
    #[serde(flatten)]
    extra: HashMap<String, serde_json::Value>,
}

/// The claims of a token minted with the local key.
#[derive(Debug, Serialize)]
struct MintedClaims {
    sub: String,
    iss: &'static str,
    aud: String,
    exp: u64,
    iat: u64,
    #[serde(flatten)]
    extra: HashMap<String, serde_json::Value>,
}

/// The locally configured HS256 key, kept in a file readable by its owner only.
#[derive(Clone)]
pub struct LocalKey(Vec<u8>);

impl LocalKey {
    /// Reads the key, creating a random one first if the file does not exist yet (the
    /// embedded setup needs no configuration to start).
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        if !path.exists() {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key)
                .map_err(|e| anyhow::anyhow!("no randomness for a signing key: {e}"))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            write_private(path, hex::encode(key).as_bytes())
                .with_context(|| format!("writing signing key {}", path.display()))?;
            tracing::info!(path = %path.display(), "created a local JWT signing key");
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading signing key {}", path.display()))?;
        let key = hex::decode(text.trim()).context("the signing key file must hold hex")?;
        anyhow::ensure!(key.len() >= 32, "the signing key must be at least 32 bytes");
        Ok(Self(key))
    }

    /// A token for `nip` with `roles`, valid for `ttl`, as the configured issuer.
    pub fn mint(
        &self,
        settings: &AuthSettings,
        nip: &str,
        roles: &[Role],
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let mut extra = HashMap::new();
        extra.insert(
            settings.roles_claim.clone(),
            serde_json::json!(roles.iter().map(|r| r.code()).collect::<Vec<_>>()),
        );
        let claims = MintedClaims {
            sub: nip.to_owned(),
            iss: LOCAL_ISSUER,
            aud: settings.audience.clone(),
            exp: now + ttl.as_secs(),
            iat: now,
            extra,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&self.0),
        )?)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(content)
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// The OIDC provider's keys. Fetched on first use, again when they are older than
/// `max_age` (so a key the provider withdrew stops being trusted), and again when a token
/// names a key id we do not know (the provider rotated); never more often than
/// `min_refresh`. If the provider is unreachable, the keys we have stay in use.
struct Jwks {
    url: String,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, ProviderKey>>,
    last_fetch: Mutex<Option<Instant>>,
    min_refresh: Duration,
    max_age: Duration,
}

/// A provider key and the algorithms it may verify: the one its JWK names, or, where
/// the JWK names none, the asymmetric family of its key type. Never HMAC.
#[derive(Clone)]
struct ProviderKey {
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

impl Jwks {
    async fn key(&self, kid: &str) -> Option<ProviderKey> {
        let fresh = |last: &Option<Instant>| last.is_some_and(|at| at.elapsed() < self.max_age);
        if fresh(&*self.last_fetch.lock().await)
            && let Some(found) = self.keys.read().await.get(kid)
        {
            return Some(found.clone());
        }
        let mut last = self.last_fetch.lock().await;
        // Another request may have refreshed while this one waited for the lock.
        if fresh(&last)
            && let Some(found) = self.keys.read().await.get(kid)
        {
            return Some(found.clone());
        }
        if !last.is_some_and(|at| at.elapsed() < self.min_refresh) {
            *last = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    tracing::info!(keys = keys.len(), "refreshed the OIDC provider's keys");
                    *self.keys.write().await = keys;
                }
                Err(error) => {
                    tracing::warn!(%error, url = %self.url, "could not fetch the OIDC provider's keys")
                }
            }
        }
        self.keys.read().await.get(kid).cloned()
    }

    async fn fetch(&self) -> anyhow::Result<HashMap<String, ProviderKey>> {
        use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let named = jwk
                .common
                .key_algorithm
                .and_then(|a| a.to_string().parse::<Algorithm>().ok());
            let family = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => vec![
                    Algorithm::RS256,
                    Algorithm::RS384,
                    Algorithm::RS512,
                    Algorithm::PS256,
                    Algorithm::PS384,
                    Algorithm::PS512,
                ],
                AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                    vec![Algorithm::ES256]
                }
                AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P384 => {
                    vec![Algorithm::ES384]
                }
                AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
                    vec![Algorithm::EdDSA]
                }
                // Symmetric or unknown keys verify nothing of the provider's.
                _ => continue,
            };
            let algorithms = match named {
                Some(alg) if family.contains(&alg) => vec![alg],
                Some(_) => continue,
                None => family,
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(kid, ProviderKey { key, algorithms });
            }
        }
        Ok(keys)
    }
}

/// Verifies credentials. Built once at start and shared.
pub struct Authenticator {
    settings: AuthSettings,
    local: Option<LocalKey>,
    jwks: Option<Jwks>,
}

/// Why a credential was refused; logged, never told to the client in detail.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer credential")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
}

impl Authenticator {
    pub fn new(settings: &AuthSettings) -> anyhow::Result<Self> {
        // Behind the SSO, a key on local disk must not be able to mint a supervisor.
        let local_allowed = settings.jwks_url.is_none() || settings.allow_local_tokens;
        let local = match (&settings.local_key_file, local_allowed) {
            (Some(path), true) => Some(LocalKey::load_or_create(path)?),
            _ => None,
        };
        let jwks = match &settings.jwks_url {
            Some(url) => Some(Jwks {
                url: url.clone(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()?,
                keys: RwLock::new(HashMap::new()),
                last_fetch: Mutex::new(None),
                min_refresh: Duration::from_secs(settings.jwks_min_refresh_secs),
                max_age: Duration::from_secs(settings.jwks_max_age_secs),
            }),
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
        })
    }

    async fn verify_jwt(&self, token: &str) -> Result<Actor, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let (key, algorithm, issuer) = match (header.alg, &self.local, &self.jwks) {
            (Algorithm::HS256, Some(local), _) => (
                DecodingKey::from_secret(&local.0),
                Algorithm::HS256,
                LOCAL_ISSUER,
            ),
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
        Ok(Actor {
            nip: nip.as_str().to_owned(),
            roles,
        })
    }

    pub async fn authenticate(
        &self,
        request: &HttpRequest,
        store: &Store,
    ) -> Result<Caller, AuthError> {
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
            let record = store
                .api_token(token)
                .await
                .map_err(|e| AuthError::Invalid(format!("token lookup failed: {e}")))?
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
fn roles_at(claims: &HashMap<String, serde_json::Value>, path: &str) -> Vec<Role> {
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
            let state = request
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            match state.auth.authenticate(&request, &state.store).await {
                Ok(caller) => Ok(caller),
                Err(error) => {
                    tracing::info!(%error, "request not authenticated");
                    Err(ApiError::Unauthenticated)
                }
            }
        })
    }
}

/// Shared so the extractor can reach it through the app state.
pub type SharedAuthenticator = Arc<Authenticator>;

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
