//! Text search within the open tickets (a queue's page, which shows the open ones unless
//! asked otherwise) from a trigram index over those alone. The index of migration 4
//! covers every ticket, and on a desk of a million, nine in ten finished, a word that
//! most descriptions share made a search of one queue's open tickets read posting lists
//! a million long: about 31 ms at the median. Searches of finished tickets still use
//! that one. Built `CONCURRENTLY`, outside a transaction: filing and acting go on while
//! it is built over a large table.
//!
//! The open states are written out as in migrations 10 and 15; a change to which states
//! are open must replace this index too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const OPEN: &str = "'submitted', 'awaiting_endorsement', 'in_review', \
     'awaiting_requester', 'waiting_on_authority', 'awaiting_requester_at_authority'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// `CREATE INDEX CONCURRENTLY` cannot run in a transaction.
    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // Only where migration 4 could install pg_trgm; without it the desk scans.
        let installed = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT 1 AS present FROM pg_extension WHERE extname = 'pg_trgm'",
            ))
            .await?
            .is_some();
        if !installed {
            return Ok(());
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_description_trgm ON tickets \
             USING gin (lower(description) public.gin_trgm_ops) WHERE status IN ({OPEN})"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS tickets_open_description_trgm")
                .await?;
        }
        Ok(())
    }
}
