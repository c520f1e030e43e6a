//! The handle every caller holds: the database connection, the attachment storage and
//! the keys, opened as configured. Each room of the store (`tickets.rs`, `lifecycle.rs`,
//! `directory.rs`, `outbox/`, …) adds its methods to it in its own file.

use std::path::Path;
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::blobs::BlobStore;
use crate::settings::{DatabaseSettings, StoreSettings};
use crate::{StoreError, sealing};

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    pub(crate) database: DatabaseSettings,
    pub(crate) blobs: BlobStore,
    pub(crate) keys: std::sync::Arc<sealing::KeyHolder>,
}

impl Store {
    /// Opens the attachment storage and connects to the database, as configured. The
    /// schema is not touched: call [`Store::migrate`] where the program owns it.
    pub async fn open(settings: &StoreSettings) -> Result<Self, StoreError> {
        let blobs = BlobStore::local(&settings.storage.path)?;
        let keys = std::sync::Arc::new(sealing::KeyHolder::load(&settings.encryption)?);
        Self::connect(&settings.database, blobs, keys).await
    }

    async fn connect(
        settings: &DatabaseSettings,
        blobs: BlobStore,
        keys: std::sync::Arc<sealing::KeyHolder>,
    ) -> Result<Self, StoreError> {
        let url = settings.url.expose_secret();
        // SQLite creates the file but not its folder (`./data` on a fresh checkout).
        if let Some(dir) = sqlite_file(url)
            .and_then(|path| Path::new(path).parent())
            .filter(|dir| !dir.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(sea_orm::DbErr::Custom(format!(
                    "creating {}: {e}",
                    dir.display()
                )))
            })?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout())
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                // WAL lets readers run beside the one writer; FULL keeps a committed
                // ticket across a power cut; writers queue instead of failing at once.
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        let db = match Database::connect(options).await {
            Ok(db) => db,
            Err(error) => return Err(StoreError::Unreachable(why_unreachable(url, error).await)),
        };
        Ok(Self {
            db,
            database: settings.clone(),
            blobs,
            keys,
        })
    }

    /// Brings the schema up to date; safe to run on every start.
    /// Also seals what an older version stored in the clear, and refuses to go on when
    /// stored data names a master key that is not configured (a lost or wrong key file).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.run_migrations(&self.database).await?;
        self.seal_legacy().await?;
        self.check_keys().await
    }

    /// The keys this store seals with.
    pub fn keyring(&self) -> std::sync::Arc<sealing::Keyring> {
        self.keys.get()
    }

    /// For readiness checks: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at `BEGIN`
    /// (`IMMEDIATE`), waiting out the busy timeout if another writer holds it: a
    /// deferred transaction that reads first and then writes fails at once with
    /// "database is locked" when a concurrent writer got there in between, because
    /// SQLite cannot wait without risking a deadlock. PostgreSQL ignores the mode.
    pub(crate) async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    pub fn backend(&self) -> &'static str {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}

/// Why the database did not answer, in words an operator can act on. The pool's own
/// account is "pool timed out": for PostgreSQL, where it listens is tried directly, so
/// that a server that is not running, a wrong port and an unknown host say so.
async fn why_unreachable(url: &str, error: sea_orm::DbErr) -> String {
    use std::str::FromStr;
    let shown = crate::settings::redact_url(url);
    let error = crate::settings::scrub_url_from(&error.to_string(), url);
    let is_postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    // The PostgreSQL parser does not look at the scheme: asked about a SQLite URL, it
    // would send an operator looking for a PostgreSQL server that was never meant.
    let options = match sea_orm::sqlx::postgres::PgConnectOptions::from_str(url) {
        Ok(options) if is_postgres => options,
        _ => return format!("{shown}: {error}"),
    };
    let (host, port) = (options.get_host().to_owned(), options.get_port());
    let reached = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await;
    match reached {
        Ok(Ok(_)) => format!("{shown}: PostgreSQL at {host}:{port} answers, but: {error}"),
        Ok(Err(io)) => format!(
            "{shown}: nothing answers at {host}:{port} ({io}); is PostgreSQL running there, and is database.url (CERTDESK_DATABASE__URL) right?"
        ),
        Err(_) => format!(
            "{shown}: {host}:{port} did not answer within 3 s (a firewall, or the wrong host?)"
        ),
    }
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(
            super::sqlite_file("sqlite://./data/certdesk.db?mode=rwc"),
            Some("./data/certdesk.db")
        );
        assert_eq!(super::sqlite_file("sqlite::memory:"), None);
        assert_eq!(super::sqlite_file("postgres://localhost/test"), None);
    }
}
