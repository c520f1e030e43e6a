//! The local HS256 key: for the embedded setup, `certdesk token issue` and tests. Behind
//! the SSO it is off, so that a key file on disk cannot mint identities.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use certdesk_domain::lifecycle::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;

use crate::settings::AuthSettings;

/// The issuer of tokens minted with the local key. Never the SSO's: a local token can
/// only pass where local tokens are allowed.
pub const LOCAL_ISSUER: &str = "certdesk-local";

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
    /// The key for verifying what it signed.
    pub(super) fn decoding_key(&self) -> DecodingKey {
        DecodingKey::from_secret(&self.0)
    }
}

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
