//! The delivery state of `ticket_events`, which makes the table a transactional outbox:
//! an event is written in the transaction of the change that caused it, and the worker
//! leases, sends and settles it afterwards. Also each ticket's preferred language for the
//! requester's emails.
//!
//! States: `pending` (due at `available_at`), `sending` (leased by `locked_by` until
//! `locked_until`), `sent`, `dead` (gave up; kept with `last_error` until requeued) and
//! `skipped` (nobody to write to, e.g. no address on file).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Delivery,
    Attempts,
    AvailableAt,
    LockedUntil,
    LockedBy,
    LastError,
    Uncertain,
    SentAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE takes a single change at a time.
        let columns = [
            ColumnDef::new(TicketEvents::Delivery)
                .string_len(10)
                .not_null()
                .default("pending")
                .to_owned(),
            ColumnDef::new(TicketEvents::Attempts)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(TicketEvents::AvailableAt)
                .timestamp_with_time_zone()
                .not_null()
                .default(Expr::current_timestamp())
                .to_owned(),
            ColumnDef::new(TicketEvents::LockedUntil)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(TicketEvents::LockedBy)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(TicketEvents::LastError)
                .text()
                .null()
                .to_owned(),
            // An attempt ended after the message was handed over but before the server
            // confirmed it: the one retry allowed for such a case has been used up.
            ColumnDef::new(TicketEvents::Uncertain)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(TicketEvents::SentAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(TicketEvents::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ColumnDef::new(Tickets::Language).string_len(5).null())
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // Partial indexes, same syntax on both backends: each worker query reads only the
        // rows in one state, which stay few however many events have been sent.
        for statement in [
            "CREATE INDEX ticket_events_due ON ticket_events (available_at) \
             WHERE delivery = 'pending'",
            "CREATE INDEX ticket_events_leased ON ticket_events (locked_until) \
             WHERE delivery = 'sending'",
            "CREATE INDEX ticket_events_dead ON ticket_events (created_at, id) \
             WHERE delivery = 'dead'",
            "CREATE INDEX ticket_events_sent_at ON ticket_events (sent_at) \
             WHERE sent_at IS NOT NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // Wakes idle workers (LISTEN certdesk_outbox) when events commit; they also
            // poll, so a lost notification delays a message but never loses it.
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION certdesk_outbox_notify() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('certdesk_outbox', ''); \
                 RETURN NULL; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER ticket_events_notify AFTER INSERT ON ticket_events \
                 FOR EACH STATEMENT EXECUTE FUNCTION certdesk_outbox_notify()",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS ticket_events_notify ON ticket_events")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS certdesk_outbox_notify()")
                .await?;
        }
        for index in [
            "ticket_events_due",
            "ticket_events_leased",
            "ticket_events_dead",
            "ticket_events_sent_at",
        ] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        for column in [
            TicketEvents::Delivery,
            TicketEvents::Attempts,
            TicketEvents::AvailableAt,
            TicketEvents::LockedUntil,
            TicketEvents::LockedBy,
            TicketEvents::LastError,
            TicketEvents::Uncertain,
            TicketEvents::SentAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TicketEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::Language)
                    .to_owned(),
            )
            .await
    }
}
