//! A separate migration role (PostgreSQL): the schema belongs to the role that migrates;
//! the desk's own role gets the privileges it needs and no more, on each table as the
//! migration that creates it commits (default privileges), then checked over all of
//! them once the migrations are done.
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
            return migrate_up(&self.db).await;
        };
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            tracing::warn!(
                "database.migration_url is for PostgreSQL; SQLite has no roles, ignored"
            );
            return migrate_up(&self.db).await;
        }
        let mut options = ConnectOptions::new(owner_url.expose_secret().to_owned());
        options.max_connections(1).sqlx_logging(false);
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        let owner = Database::connect(options).await?;
        let outcome = async {
            let desk = single_text(&self.db, "SELECT current_user::text AS v").await?;
            let by = single_text(&owner, "SELECT current_user::text AS v").await?;
            if desk == by {
                migrate_up(&owner).await?;
                tracing::warn!(
                    role = %desk,
                    "database.migration_url names the desk's own role: no privileges withheld"
                );
                return Ok(());
            }
            let schema = single_text(&owner, "SELECT current_schema()::text AS v").await?;
            // A table a migration creates is the desk's to use from the moment it is
            // committed: desks still running (or already migrated) write through
            // triggers that may touch it, and would fail until a grant after the last
            // migration. The append-only tables lose UPDATE and DELETE just after.
            default_privileges(&owner, &quoted(&schema), &quoted(&desk)).await?;
            migrate_up(&owner).await?;
            grant(&owner, &quoted(&schema), &quoted(&desk)).await?;
            tracing::info!(role = %desk, owner = %by, "migrated as the owner; the desk's role may not change the audit or the history");
            Ok::<(), StoreError>(())
        }
        .await;
        owner.close().await.ok();
        outcome
    }
}

/// Every pending migration, run on `db` (the role that owns the schema), and one line for
/// what changed (the migrator's own lines are each step's, at debug level for whoever
/// wants them).
async fn migrate_up(db: &DatabaseConnection) -> Result<(), StoreError> {
    let pending = Migrator::get_pending_migrations(db).await?;
    Migrator::up(db, None).await?;
    if let Some(last) = pending.last() {
        tracing::info!(
            applied = pending.len(),
            latest = last.name(),
            "database schema brought up to date"
        );
    }
    Ok(())
}

/// What the owner creates in `schema` from now on, `role` may read and write at once.
async fn default_privileges(
    owner: &DatabaseConnection,
    schema: &str,
    role: &str,
) -> Result<(), StoreError> {
    for statement in [
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} \
             GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}"
        ),
    ] {
        owner.execute_unprepared(&statement).await?;
    }
    Ok(())
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
