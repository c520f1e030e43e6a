//! Queues sorted by what falls due first. `sla_sort_at` is the instant a queue sorted by
//! due places a ticket: its earliest running clock's due instant, or the end of time
//! while none runs (a ticket waiting on its requester, one done, one filed before
//! service levels), so that those come last on both backends alike (PostgreSQL and
//! SQLite sort nulls at opposite ends) and the keyset `(sla_sort_at, id)` never meets a
//! null. The store writes it whenever it writes a ticket's clocks; this fills it for
//! tickets already there. A partial index holds the open tickets, as the queue's
//! by-age index does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::ChronoDateTimeUtc;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    SlaSortAt,
}

/// The open states, as the domain has them (a test holds them to it).
pub(crate) const OPEN: &str = "'submitted', 'awaiting_endorsement', 'in_review', \
     'awaiting_requester', 'waiting_on_authority', 'awaiting_requester_at_authority'";

/// The end of time as the store writes it: nothing is due.
fn nothing_due() -> ChronoDateTimeUtc {
    ChronoDateTimeUtc::from_timestamp(253_402_300_799, 0).unwrap_or_default()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(timestamp_with_time_zone_null(Tickets::SlaSortAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Bound, not written in SQL: SQLite compares times as the text the driver wrote,
        // so the value must be written as every other time is.
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE tickets SET sla_sort_at = COALESCE(sla_due_at, $1)",
            [nothing_due().into()],
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX tickets_open_queue_sla_sort_at_id ON tickets (queue, sla_sort_at, id) \
             WHERE status IN ({OPEN})"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS tickets_open_queue_sla_sort_at_id")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::SlaSortAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
