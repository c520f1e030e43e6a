//! The store's settings: `[database]` (where the tickets are) and `[storage]` (where the
//! attachment files are). Read from the same layered configuration as the rest of the
//! program (defaults, TOML file, `CERTDESK_*` variables); whoever opens the store, the
//! API, the worker or a CLI command, reads the same two sections the same way.

use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::Serialized;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
pub struct StoreSettings {
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
}

/// How to reach the database. The backend follows from the URL's scheme.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://./data/certdesk.db?mode=rwc` or `postgres://user@host:5432/db`.
    pub url: SecretString,
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is told to retry.
    pub acquire_timeout_secs: u64,
    /// PostgreSQL only: work in this schema instead of the user's default (tests use one
    /// per test).
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StorageSettings {
    /// Where attachment files are kept (content-addressed, fsynced).
    pub path: PathBuf,
}

/// The embedded setup: SQLite and files under `./data`, runnable with no configuration.
#[derive(Serialize)]
struct Defaults {
    database: DefaultDatabase,
    storage: StorageSettings,
}

#[derive(Serialize)]
struct DefaultDatabase {
    url: &'static str,
    max_connections: u32,
    acquire_timeout_secs: u64,
}

impl StoreSettings {
    /// The store's sections of a layered configuration, over their defaults.
    pub fn from_figment(layers: &Figment) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Defaults {
            database: DefaultDatabase {
                url: "sqlite://./data/certdesk.db?mode=rwc",
                max_connections: 16,
                acquire_timeout_secs: 5,
            },
            storage: StorageSettings {
                path: PathBuf::from("./data/blobs"),
            },
        }))
        .merge(layers.clone())
        .extract()
        .map_err(Box::new)
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
        let settings = StoreSettings::from_figment(&Figment::new()).unwrap();
        assert!(settings.database.url.expose_secret().starts_with("sqlite:"));
        assert_eq!(settings.storage.path, PathBuf::from("./data/blobs"));
    }

    #[test]
    fn reads_the_database_from_layers() {
        use figment::providers::{Format, Toml};
        let layers = Figment::from(Toml::string(
            "[database]\nurl = \"postgres://postgres@127.0.0.1/test\"\n",
        ));
        let settings = StoreSettings::from_figment(&layers).unwrap();
        assert!(
            settings
                .database
                .url
                .expose_secret()
                .starts_with("postgres:")
        );
        assert_eq!(
            settings.database.max_connections, 16,
            "unset keys keep their defaults"
        );
    }
}
