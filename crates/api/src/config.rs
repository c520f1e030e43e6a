//! The API's typed, layered configuration: built-in defaults, then an optional TOML file,
//! then environment variables (`CERTDESK_` prefix, `__` between levels, e.g.
//! `CERTDESK_SERVER__LISTEN`). Read once at start and handed down; never a global. The
//! database and storage sections belong to the store (`certdesk_store::StoreSettings`),
//! the mail and outbox sections to the worker; all are read from the same layers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use certdesk_domain::attachment::{
    DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_PART_BYTES,
};
use certdesk_domain::lifecycle::LifecycleRules;
use certdesk_domain::routing::QueueName;
use certdesk_domain::{AttachmentPolicy, EmailDomains, Service};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub limits: LimitSettings,
    /// Mail domains accepted for official emails; empty means every `go.id` domain.
    pub email_domains: Vec<String>,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub lifecycle: LifecycleSettings,
    pub idempotency: IdempotencySettings,
    pub rate_limits: RateLimitSettings,
    pub pdf: PdfSettings,
    pub console: ConsoleSettings,
}

/// The RA console: its sessions, and signing in through the ministry's SSO.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
pub struct IdempotencySettings {
    /// How long a filing's `Idempotency-Key` is remembered, in hours: retries within it
    /// get the first response; after it, the key is free again.
    pub retention_hours: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
pub struct LifecycleSettings {
    /// Services whose tickets wait for the responsible officer's endorsement first, by
    /// code. An environment variable written `[15.1, 15.3]` reads as numbers; they are
    /// taken as the codes they look like.
    #[serde(deserialize_with = "service_codes")]
    pub endorsement_services: Vec<String>,
    /// How long after resolution a ticket may be reopened, in hours.
    pub reopen_window_hours: u64,
    /// How long the authority's link to a requester works once sent, in hours.
    pub link_validity_hours: u64,
    /// The queue for tickets no routing rule matches.
    pub default_queue: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `certdesk_api=debug,info`.
    pub filter: String,
}

/// A list of service codes, written as strings (`["15.1", "15.3"]`) or, as an unquoted
/// list in an environment variable comes out, as numbers.
fn service_codes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Text(String),
        Number(f64),
    }
    Ok(Vec::<Code>::deserialize(deserializer)?
        .into_iter()
        .map(|code| match code {
            Code::Text(text) => text,
            Code::Number(number) => number.to_string(),
        })
        .collect())
}

/// The defaults: the embedded setup, runnable with no configuration at all.
#[derive(Serialize)]
struct Defaults {
    server: ServerSettings,
    limits: LimitSettings,
    email_domains: Vec<String>,
    log: LogSettings,
    auth: AuthSettings,
    lifecycle: LifecycleSettings,
    idempotency: IdempotencySettings,
    rate_limits: RateLimitSettings,
    pdf: PdfSettings,
    console: ConsoleSettings,
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

fn defaults() -> Defaults {
    Defaults {
        server: ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 0,
        },
        limits: LimitSettings::default(),
        email_domains: EmailDomains::default().as_slice().to_vec(),
        log: LogSettings {
            format: LogFormat::Pretty,
            filter: "info".into(),
        },
        auth: AuthSettings {
            issuer: String::new(),
            audience: "certdesk".into(),
            roles_claim: "roles".into(),
            leeway_secs: 60,
            jwks_url: None,
            jwks_min_refresh_secs: 30,
            jwks_max_age_secs: 600,
            allow_local_tokens: false,
            local_key_file: Some(PathBuf::from("./data/jwt-signing.key")),
        },
        lifecycle: LifecycleSettings {
            endorsement_services: vec!["15.1".into(), "15.3".into()],
            reopen_window_hours: 7 * 24,
            link_validity_hours: 24,
            default_queue: "general".into(),
        },
        idempotency: IdempotencySettings {
            retention_hours: 24,
        },
        rate_limits: RateLimitSettings::default(),
        pdf: PdfSettings::default(),
        console: ConsoleSettings {
            session_hours: 10,
            public_url: "http://127.0.0.1:8080".into(),
            sso_issuer: None,
            sso_client_id: "certdesk-console".into(),
            sso_client_secret: None,
        },
    }
}

/// The configuration a person gave: `file` (if given, it must exist), then the
/// environment. Each part of the program reads its own sections from it.
pub fn layers(file: Option<&Path>) -> Figment {
    let mut figment = Figment::new();
    if let Some(file) = file {
        figment = figment.merge(Toml::file_exact(file));
    }
    figment.merge(Env::prefixed("CERTDESK_").split("__"))
}

impl Settings {
    /// Defaults, then `file` (if given, it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        Self::from_figment(&layers(file))
    }

    /// The API's settings from configuration layers, over the built-in defaults.
    pub fn from_figment(layers: &Figment) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(defaults()))
            .merge(layers.clone())
            .extract()
            .map_err(Box::new)
    }

    /// The lifecycle's rules as the domain reads them; a service code that is not one of
    /// ours stops the start with a message naming it.
    pub fn lifecycle_rules(&self) -> Result<LifecycleRules, String> {
        let endorsement = self
            .lifecycle
            .endorsement_services
            .iter()
            .map(|code| {
                Service::from_code(code).ok_or_else(|| {
                    format!(
                        "lifecycle.endorsement_services: {code:?} is not a service (15.1, 15.2 or 15.3)"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let hours = i64::try_from(self.lifecycle.reopen_window_hours)
            .map_err(|_| "lifecycle.reopen_window_hours is too large".to_owned())?;
        let link_hours = i64::try_from(self.lifecycle.link_validity_hours)
            .ok()
            .filter(|h| (1..=24 * 30).contains(h))
            .ok_or_else(|| "lifecycle.link_validity_hours must be 1 to 720".to_owned())?;
        Ok(LifecycleRules {
            endorsement,
            reopen_window: chrono::Duration::hours(hours),
            link_validity: chrono::Duration::hours(link_hours),
        })
    }

    /// Limits that cannot work together: an upload larger than the whole in-flight
    /// budget could never be admitted.
    pub fn check_limits(&self) -> Result<(), String> {
        if self.limits.uploads_in_flight_bytes < self.limits.max_body_bytes {
            return Err(format!(
                "limits.uploads_in_flight_bytes ({}) must be at least limits.max_body_bytes ({}): a body at the limit could never be admitted",
                self.limits.uploads_in_flight_bytes, self.limits.max_body_bytes
            ));
        }
        Ok(())
    }

    /// Where tickets no routing rule matches go.
    pub fn default_queue(&self) -> Result<QueueName, String> {
        QueueName::parse(&self.lifecycle.default_queue).map_err(|(_, message)| {
            format!(
                "lifecycle.default_queue {:?}: {}",
                self.lifecycle.default_queue, message.en
            )
        })
    }

    pub fn attachment_policy(&self) -> AttachmentPolicy {
        AttachmentPolicy {
            max_part_bytes: self.limits.max_part_bytes,
            max_image_pixels: self.limits.max_image_pixels,
            max_decode_bytes: self.limits.max_decode_bytes,
            max_pdf_pages: self.pdf.max_pages,
        }
    }

    pub fn email_domains(&self) -> EmailDomains {
        EmailDomains::new(&self.email_domains)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unquoted list (`[15.1, 15.3]`, as people write it in an environment variable)
    /// reads as numbers; they are the codes they look like. (The binary's test sets the
    /// variable itself.)
    #[test]
    fn endorsement_services_read_as_strings_or_as_numbers() {
        use figment::providers::{Format, Toml};
        for written in ["[15.1, 15.3]", r#"["15.1","15.3"]"#] {
            let layers = Figment::from(Toml::string(&format!(
                "[lifecycle]\nendorsement_services = {written}\n"
            )));
            let settings = Settings::from_figment(&layers).unwrap();
            assert_eq!(
                settings.lifecycle_rules().unwrap(),
                LifecycleRules::default(),
                "{written}"
            );
        }
        let layers = Figment::from(Toml::string("[lifecycle]\nendorsement_services = [15.4]\n"));
        let settings = Settings::from_figment(&layers).unwrap();
        assert!(settings.lifecycle_rules().unwrap_err().contains("\"15.4\""));
    }

    #[test]
    fn runs_with_no_configuration_at_all() {
        let settings = Settings::load(None).unwrap();
        assert_eq!(
            settings.lifecycle_rules().unwrap(),
            LifecycleRules::default()
        );
        assert_eq!(settings.default_queue().unwrap().as_str(), "general");
        assert_eq!(settings.email_domains, ["kemenkeu.go.id", "customs.go.id"]);
        assert_eq!(settings.limits.max_part_bytes, DEFAULT_MAX_PART_BYTES);
    }
}
