//! The API's settings: how it listens, what it accepts, how it authenticates, how fast
//! a client may go, how PDF letters are read, and the console. Typed values with the
//! embedded setup's defaults; the binary reads them from the layered configuration
//! (`[server]`, `[limits]`, `[auth]`, `[idempotency]`, `[rate_limits]`, `[pdf]`,
//! `[console]`) and hands them to [`crate::Application::build`] beside the desk's rules.

use std::net::SocketAddr;
use std::path::PathBuf;

use certdesk_domain::AttachmentPolicy;
use certdesk_domain::attachment::{
    DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_PART_BYTES,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiSettings {
    pub server: ServerSettings,
    pub limits: LimitSettings,
    pub auth: AuthSettings,
    pub idempotency: IdempotencySettings,
    pub rate_limits: RateLimitSettings,
    pub pdf: PdfSettings,
    pub console: ConsoleSettings,
}

/// The RA console: its sessions, and signing in through the ministry's SSO.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsoleSettings {
    /// How long a console session lasts, in hours.
    pub session_hours: u64,
    /// Where people reach the desk; the SSO sends them back to
    /// `{public_url}/console/sso/callback`.
    pub public_url: String,
    /// The OpenID provider's issuer URL (discovery at `/.well-known/openid-configuration`);
    /// unset, people sign in by pasting a token.
    pub sso_issuer: Option<String>,
    /// The console's client id at the provider.
    pub sso_client_id: String,
    /// Its client secret (`client_secret_basic`).
    #[serde(serialize_with = "redacted")]
    pub sso_client_secret: Option<secrecy::SecretString>,
}

/// A secret is shown as `***`, and only whether it is set.
fn redacted<S: serde::Serializer>(
    secret: &Option<secrecy::SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

/// How PDF letters are read: by `certdesk inspect-pdf` in a child process, within these
/// limits (see `certdesk`'s `inspect_pdf.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PdfSettings {
    /// The program to run as `<reader> inspect-pdf`; unset means this very program.
    pub reader: Option<PathBuf>,
    /// Wall-clock time one reading may take; the child is killed past it.
    pub timeout_secs: u64,
    /// The child's address space: the program's own mappings (a few MiB), the document
    /// and what is parsed from it.
    pub memory_bytes: u64,
    /// The most pages a letter may have.
    pub max_pages: u32,
}

impl Default for PdfSettings {
    fn default() -> Self {
        Self {
            reader: None,
            timeout_secs: 10,
            memory_bytes: 256 * 1024 * 1024,
            max_pages: certdesk_domain::attachment::pdf::DEFAULT_MAX_PDF_PAGES,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Off only where something else is measured (benchmarks, most tests).
    pub enabled: bool,
    /// Filings per minute per person or integrator token.
    pub intake_per_minute: u32,
    /// Checks without filing (`/tickets/validate`) per minute per person or token.
    pub validate_per_minute: u32,
    /// Comments per minute per person.
    pub comments_per_minute: u32,
    /// Filings and checks per minute per integrator token, together (a token files for
    /// many people, and is not limited by its address).
    pub integrator_per_minute: u32,
    /// Filings, checks and comments per minute from one client address, together.
    pub per_address_per_minute: u32,
    /// Failed authentications per minute from one address; past it, the address is
    /// refused, even with a valid token, until the limit allows again.
    pub failed_auth_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed, by address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            intake_per_minute: 10,
            validate_per_minute: 60,
            comments_per_minute: 30,
            integrator_per_minute: 600,
            per_address_per_minute: 240,
            failed_auth_per_minute: 20,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default)]
pub struct IdempotencySettings {
    /// How long a filing's `Idempotency-Key` is remembered, in hours: retries within it
    /// get the first response; after it, the key is free again.
    pub retention_hours: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// The `iss` the SSO's tokens carry. Locally minted tokens carry `certdesk-local`.
    pub issuer: String,
    /// The `aud` every token must carry.
    pub audience: String,
    /// The claim that lists a person's roles (an array, or a space-separated string).
    pub roles_claim: String,
    /// Clock skew tolerated on `exp`, in seconds.
    pub leeway_secs: u64,
    /// The OIDC provider's JWKS endpoint; its keys verify RS*/ES*/PS*/EdDSA tokens.
    pub jwks_url: Option<String>,
    /// Refetch the JWKS for an unknown key id at most this often, in seconds.
    pub jwks_min_refresh_secs: u64,
    /// Refetch the JWKS when the keys are older than this, in seconds: a key the
    /// provider withdrew is trusted at most this long.
    pub jwks_max_age_secs: u64,
    /// Accept tokens signed with the local key even when `jwks_url` is set. Off by
    /// default: behind the SSO, a key file on disk must not mint identities.
    pub allow_local_tokens: bool,
    /// An HS256 key (hex, created on first start if missing) for the embedded setup, for
    /// `certdesk token issue` and for tests. Leave unset in production behind SSO.
    pub local_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitSettings {
    /// The largest intake request as a whole.
    pub max_body_bytes: u64,
    /// The largest single attachment.
    pub max_part_bytes: u64,
    /// The largest `ticket` JSON part.
    pub max_ticket_json_bytes: u64,
    /// The most pixels an image may claim in its header.
    pub max_image_pixels: u64,
    /// The most memory decoding one image to check it may take.
    pub max_decode_bytes: u64,
    /// The longest gap between two pieces of an upload's body, in seconds.
    pub body_idle_secs: u64,
    /// The longest an upload's whole body may take to arrive, in seconds.
    pub body_total_secs: u64,
    /// Uploads being received and checked at once may hold at most this many bytes
    /// together (each counted at its declared length, or the body limit); more are
    /// answered 503 with Retry-After, so memory stays bounded whatever clients do.
    pub uploads_in_flight_bytes: u64,
    /// Images decoded at once to check them (each within `max_decode_bytes`).
    pub concurrent_decodes: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            // Five files at the part limit, the ticket JSON and the multipart framing.
            max_body_bytes: 28 * 1024 * 1024,
            max_part_bytes: DEFAULT_MAX_PART_BYTES,
            max_ticket_json_bytes: 64 * 1024,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
            max_decode_bytes: DEFAULT_MAX_DECODE_BYTES,
            body_idle_secs: 10,
            body_total_secs: 120,
            // Two uploads at the body limit, or a hundred ordinary tickets (~0.6 MB).
            uploads_in_flight_bytes: 64 * 1024 * 1024,
            concurrent_decodes: 2,
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 0,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            audience: "certdesk".into(),
            roles_claim: "roles".into(),
            leeway_secs: 60,
            jwks_url: None,
            jwks_min_refresh_secs: 30,
            jwks_max_age_secs: 600,
            allow_local_tokens: false,
            local_key_file: Some(PathBuf::from("./data/jwt-signing.key")),
        }
    }
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        Self {
            retention_hours: 24,
        }
    }
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            session_hours: 10,
            public_url: "http://127.0.0.1:8080".into(),
            sso_issuer: None,
            sso_client_id: "certdesk-console".into(),
            sso_client_secret: None,
        }
    }
}

impl ApiSettings {
    /// Limits that cannot work together: an upload larger than the whole in-flight
    /// budget could never be admitted.
    pub fn check(&self) -> Result<(), String> {
        if self.limits.uploads_in_flight_bytes < self.limits.max_body_bytes {
            return Err(format!(
                "limits.uploads_in_flight_bytes ({}) must be at least limits.max_body_bytes ({}): a body at the limit could never be admitted",
                self.limits.uploads_in_flight_bytes, self.limits.max_body_bytes
            ));
        }
        Ok(())
    }

    pub fn attachment_policy(&self) -> AttachmentPolicy {
        AttachmentPolicy {
            max_part_bytes: self.limits.max_part_bytes,
            max_image_pixels: self.limits.max_image_pixels,
            max_decode_bytes: self.limits.max_decode_bytes,
            max_pdf_pages: self.pdf.max_pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_with_no_configuration_at_all() {
        let settings = ApiSettings::default();
        assert_eq!(settings.check(), Ok(()));
        assert_eq!(settings.limits.max_part_bytes, DEFAULT_MAX_PART_BYTES);
        assert!(settings.rate_limits.enabled);
    }

    #[test]
    fn a_body_the_upload_budget_could_never_admit_is_refused() {
        let mut settings = ApiSettings::default();
        settings.limits.uploads_in_flight_bytes = settings.limits.max_body_bytes - 1;
        assert!(
            settings
                .check()
                .unwrap_err()
                .contains("limits.uploads_in_flight_bytes")
        );
    }
}
