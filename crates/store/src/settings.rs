//! The store's settings: `[database]` (where the tickets are), `[storage]` (where the
//! attachment files are) and `[encryption]` (the keys that seal them). Typed values with
//! the embedded setup's defaults; the binary reads them from the layered configuration,
//! and whoever opens the store, the API, the worker or a CLI command, gets the same.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreSettings {
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub encryption: EncryptionSettings,
}

/// How to reach the database. The backend follows from the URL's scheme.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://./data/certdesk.db?mode=rwc` or `postgres://user@host:5432/db`. Shown
    /// with its password replaced.
    #[serde(serialize_with = "url_without_password")]
    pub url: SecretString,
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is told to retry.
    pub acquire_timeout_secs: u64,
    /// PostgreSQL only: work in this schema instead of the user's default (tests use one
    /// per test).
    pub schema: Option<String>,
    /// PostgreSQL only: the role that owns the schema and runs the migrations. Set, the
    /// desk connects with `url` as a role of its own, granted after each migration what
    /// it needs and no more: it may not update or delete the audit or the history, nor
    /// lift their triggers. Shown with its password replaced.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_url_without_password"
    )]
    pub migration_url: Option<SecretString>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageSettings {
    /// Where attachment files are kept (content-addressed, fsynced).
    pub path: PathBuf,
}

/// The keys that seal attachments and NIKs at rest (see `sealing`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct EncryptionSettings {
    /// The key file, mode 0600; created with fresh keys when it does not exist.
    pub key_file: PathBuf,
    /// The key file's text itself (lines separated by newlines or `;`), for a secret
    /// store that hands it over as `CERTDESK_ENCRYPTION__KEYS`; `key_file` is then not
    /// read. Never shown.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "redacted"
    )]
    pub keys: Option<SecretString>,
}

fn redacted<S: serde::Serializer>(_: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("***")
}

impl EncryptionSettings {
    pub fn keyring(&self) -> Result<crate::sealing::Keyring, crate::StoreError> {
        use secrecy::ExposeSecret;
        crate::sealing::Keyring::load(
            &self.key_file,
            self.keys.as_ref().map(|k| k.expose_secret()),
        )
    }
}

/// The embedded setup: SQLite and files under `./data`, runnable with no configuration.
impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://./data/certdesk.db?mode=rwc"),
            max_connections: 16,
            acquire_timeout_secs: 5,
            schema: None,
            migration_url: None,
        }
    }
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            path: PathBuf::from("./data/blobs"),
        }
    }
}

impl Default for EncryptionSettings {
    fn default() -> Self {
        Self {
            key_file: PathBuf::from("./data/master.keys"),
            keys: None,
        }
    }
}

/// A database URL as it may be shown: a password in it, before the `@` or as a
/// `password=` parameter, is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    // The user information ends at the *last* `@`: a generated password may hold an
    // unencoded `/`, `?` or `#`, so the authority cannot be cut at the first of those.
    // A stray `@` later in the URL over-hides a little, which is the safe way to err.
    let (before_host, host_on) = match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user_info, host_on)) => {
                let user = user_info
                    .split_once(':')
                    .map_or(user_info, |(user, _)| user);
                let hidden = if user.len() == user_info.len() {
                    ""
                } else {
                    ":***"
                };
                (format!("{scheme}://{user}{hidden}@"), host_on)
            }
            None => (format!("{scheme}://"), rest),
        },
        None => (String::new(), url),
    };
    let mut shown = before_host;
    match host_on.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                        format!("{name}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            shown.push_str(path);
            shown.push('?');
            shown.push_str(&params.join("&"));
        }
        None => shown.push_str(host_on),
    }
    shown
}

/// A driver's message about `url` with the URL and its password hidden: drivers quote
/// a connection string they cannot parse whole, password included.
pub fn scrub_url_from(message: &str, url: &str) -> String {
    let mut scrubbed = message.replace(url, &redact_url(url));
    for secret in url_secrets(url) {
        scrubbed = scrubbed.replace(&secret, "***");
    }
    scrubbed
}

/// The password of a URL as written and as decoded, from the user information or a
/// `password=` parameter; empty ones are left out (they would match everywhere).
fn url_secrets(url: &str) -> Vec<String> {
    let mut written = Vec::new();
    if let Some((_, rest)) = url.split_once("://")
        && let Some((user_info, _)) = rest.rsplit_once('@')
        && let Some((_, password)) = user_info.split_once(':')
    {
        written.push(password.to_owned());
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            if let Some((name, value)) = pair.split_once('=')
                && name.eq_ignore_ascii_case("password")
            {
                written.push(value.to_owned());
            }
        }
    }
    let mut secrets = Vec::new();
    for password in written.into_iter().filter(|p| !p.is_empty()) {
        let decoded = percent_decoded(&password);
        if decoded != password && !decoded.is_empty() {
            secrets.push(decoded);
        }
        secrets.push(password);
    }
    secrets
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn url_without_password<S: serde::Serializer>(url: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    use secrecy::ExposeSecret;
    s.serialize_str(&redact_url(url.expose_secret()))
}

fn optional_url_without_password<S: serde::Serializer>(
    url: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use secrecy::ExposeSecret;
    match url {
        Some(url) => s.serialize_str(&redact_url(url.expose_secret())),
        None => s.serialize_none(),
    }
}

impl StoreSettings {
    /// A database URL the desk cannot speak is refused at start, by its key.
    pub fn check(&self) -> Result<(), String> {
        use secrecy::ExposeSecret;
        let url = self.database.url.expose_secret();
        let scheme = url.split(':').next().unwrap_or_default();
        if !matches!(scheme, "postgres" | "postgresql" | "sqlite") {
            return Err(format!(
                "database.url (CERTDESK_DATABASE__URL): {:?} is not a database certdesk speaks; write postgres://user@host:5432/db or sqlite://./data/certdesk.db?mode=rwc",
                redact_url(url)
            ));
        }
        Ok(())
    }
}

impl DatabaseSettings {
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.acquire_timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn runs_with_no_configuration_at_all() {
        let settings = StoreSettings::default();
        assert!(settings.database.url.expose_secret().starts_with("sqlite:"));
        assert_eq!(settings.storage.path, PathBuf::from("./data/blobs"));
    }

    #[test]
    fn a_password_in_a_database_url_is_never_shown() {
        assert_eq!(
            redact_url("postgres://certdesk:s3cret@db:5432/certdesk?sslmode=require"),
            "postgres://certdesk:***@db:5432/certdesk?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://db/certdesk?user=certdesk&password=s3cret"),
            "postgres://db/certdesk?user=certdesk&password=***"
        );
        assert_eq!(
            redact_url("sqlite://./data/certdesk.db?mode=rwc"),
            "sqlite://./data/certdesk.db?mode=rwc"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }

    #[test]
    fn a_password_with_url_delimiters_in_it_is_hidden_whole() {
        for (url, shown) in [
            ("postgres://desk:ab/cd+ef@h/db", "postgres://desk:***@h/db"),
            (
                "postgres://desk:a?b#c@h:5432/db?sslmode=require",
                "postgres://desk:***@h:5432/db?sslmode=require",
            ),
            ("postgres://desk:p@ss@h/db", "postgres://desk:***@h/db"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    #[test]
    fn a_drivers_message_quoting_the_url_loses_the_password() {
        let url = "postgres://desk:s%2Fcret@127.0.0.1:99999/db?password=other";
        let message = format!("The connection string '{url}' cannot be parsed; s/cret; other");
        let scrubbed = scrub_url_from(&message, url);
        assert!(
            !scrubbed.contains("cret") && !scrubbed.contains("other"),
            "{scrubbed}"
        );
        assert!(
            scrubbed.contains("postgres://desk:***@127.0.0.1:99999/db"),
            "{scrubbed}"
        );
    }
}
