//! Text search in ticket descriptions (`q` on queue pages) at scale: a trigram index on
//! PostgreSQL, which serves `lower(description) LIKE '%…%'`. SQLite, the embedded
//! default for small desks, scans instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // pg_trgm ships with PostgreSQL's contrib modules; where it is missing the desk
        // still works, with slower text search, so this is not a reason to fail.
        let available = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT 1 AS present FROM pg_available_extensions WHERE name = 'pg_trgm'",
            ))
            .await?
            .is_some();
        if !available {
            return Ok(());
        }
        // In `public`, once per database, and named with its schema: the tables may live
        // in another schema (tests use one per test).
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX tickets_description_trgm ON tickets \
             USING gin (lower(description) public.gin_trgm_ops)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS tickets_description_trgm")
                .await?;
        }
        Ok(())
    }
}
