//! A separate migration role (PostgreSQL): the schema belongs to the role that migrates;
//! the desk's own role gets, after each migration, the privileges it needs and no more.
//! Triggers keep the audit and the history append-only for everyone; privileges make
//! sure the desk's role cannot update or delete their rows, nor lift the triggers (only
//! a table's owner may disable or drop them).

use certdesk_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::{DatabaseSettings, Store, StoreError};

/// Tables whose rows are never changed or deleted.
const APPEND_ONLY: [&str; 2] = ["audit_log", "ticket_history"];

impl Store {
    /// Runs the migrations as `settings.migration_url`'s role, then grants this store's
    /// role what it needs; without a migration role, runs them on this connection.
    pub(crate) async fn run_migrations(
        &self,
        settings: &DatabaseSettings,
    ) -> Result<(), StoreError> {
        let Some(owner_url) = &settings.migration_url else {
            Migrator::up(&self.db, None).await?;
            return Ok(());
        };
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            tracing::warn!(
                "database.migration_url is for PostgreSQL; SQLite has no roles, ignored"
            );
            Migrator::up(&self.db, None).await?;
            return Ok(());
        }
        let mut options = ConnectOptions::new(owner_url.expose_secret().to_owned());
        options.max_connections(1).sqlx_logging(false);
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        let owner = Database::connect(options).await?;
        let outcome = async {
            Migrator::up(&owner, None).await?;
            let desk = single_text(&self.db, "SELECT current_user::text AS v").await?;
            let by = single_text(&owner, "SELECT current_user::text AS v").await?;
            if desk == by {
                tracing::warn!(
                    role = %desk,
                    "database.migration_url names the desk's own role: no privileges withheld"
                );
                return Ok(());
            }
            let schema = single_text(&owner, "SELECT current_schema()::text AS v").await?;
            grant(&owner, &quoted(&schema), &quoted(&desk)).await?;
            tracing::info!(role = %desk, owner = %by, "migrated as the owner; the desk's role may not change the audit or the history");
            Ok::<(), StoreError>(())
        }
        .await;
        owner.close().await.ok();
        outcome
    }
}

async fn grant(owner: &DatabaseConnection, schema: &str, role: &str) -> Result<(), StoreError> {
    for statement in [
        format!("GRANT USAGE ON SCHEMA {schema} TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"),
        format!(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}"
        ),
    ] {
        owner.execute_unprepared(&statement).await?;
    }
    for table in APPEND_ONLY {
        owner
            .execute_unprepared(&format!(
                "REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{table} FROM {role}"
            ))
            .await?;
    }
    Ok(())
}

async fn single_text(db: &DatabaseConnection, sql: &str) -> Result<String, StoreError> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("no answer to a one-row query".into()))?;
    Ok(row.try_get::<String>("", "v")?)
}

/// An identifier quoted for PostgreSQL, whatever it holds.
fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
