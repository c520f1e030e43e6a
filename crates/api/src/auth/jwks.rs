//! The OIDC provider's keys, fetched from its JWKS endpoint and kept fresh.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::{Mutex, RwLock};

/// The OIDC provider's keys. Fetched on first use, again when they are older than
/// `max_age` (so a key the provider withdrew stops being trusted), and again when a token
/// names a key id we do not know (the provider rotated); never more often than
/// `min_refresh`. If the provider is unreachable, the keys we have stay in use.
pub(super) struct Jwks {
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
pub(super) struct ProviderKey {
    pub key: DecodingKey,
    pub algorithms: Vec<Algorithm>,
}

impl Jwks {
    pub fn new(url: String, min_refresh: Duration, max_age: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
            min_refresh,
            max_age,
        })
    }

    pub async fn key(&self, kid: &str) -> Option<ProviderKey> {
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
