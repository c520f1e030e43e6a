//! Each queue's open tickets, counted as tickets change rather than when someone asks.
//! Agents see the counts on every visit to the queues; counting a million-ticket table's
//! open rows each time took 166 ms at the median and 214 ms at p99, and it grows with
//! the backlog. Triggers keep
//! the count in the same transaction as the change, so it is never off, whichever code
//! path (API, console, worker, timers, retention) moves a ticket.
//!
//! A queue's count is spread over 16 rows (`shard` = ticket id mod 16), so concurrent
//! filings to one queue do not wait on each other for one hot row; a reader sums them.
//!
//! The open states are written out here, as in the open-queue index of migration 10. A
//! later migration that changes which states are open must replace these triggers too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const OPEN: &str = "'submitted', 'awaiting_endorsement', 'in_review', \
     'awaiting_requester', 'waiting_on_authority', 'awaiting_requester_at_authority'";

const SHARDS: i64 = 16;

fn create_table() -> String {
    "CREATE TABLE queue_open_counts (\
       queue varchar(64) NOT NULL, \
       shard smallint NOT NULL, \
       open_tickets bigint NOT NULL, \
       PRIMARY KEY (queue, shard))"
        .to_owned()
}

fn backfill() -> String {
    format!(
        "INSERT INTO queue_open_counts (queue, shard, open_tickets) \
         SELECT queue, id % {SHARDS}, count(*) FROM tickets WHERE status IN ({OPEN}) \
         GROUP BY queue, id % {SHARDS}"
    )
}

/// PostgreSQL: one trigger function; the update trigger fires only when the status or
/// the queue really changed, so the many updates that touch neither write nothing here.
fn postgres() -> Vec<String> {
    vec![
        format!(
            // The schema it is created in, whatever the writer's search path (a DBA's
            // session, a restore): the counts live beside the tickets.
            "CREATE FUNCTION queue_open_counts_follow() RETURNS trigger LANGUAGE plpgsql \
             SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ({OPEN}) THEN
    UPDATE queue_open_counts SET open_tickets = open_tickets - 1
     WHERE queue = OLD.queue AND shard = OLD.id % {SHARDS};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status IN ({OPEN}) THEN
    INSERT INTO queue_open_counts (queue, shard, open_tickets)
    VALUES (NEW.queue, NEW.id % {SHARDS}, 1)
    ON CONFLICT (queue, shard) DO UPDATE SET open_tickets = queue_open_counts.open_tickets + 1;
  END IF;
  RETURN NULL;
END $$"
        ),
        "CREATE TRIGGER tickets_open_counts_insert_delete AFTER INSERT OR DELETE ON tickets \
         FOR EACH ROW EXECUTE FUNCTION queue_open_counts_follow()"
            .to_owned(),
        "CREATE TRIGGER tickets_open_counts_update AFTER UPDATE OF status, queue ON tickets \
         FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status \
                            OR OLD.queue IS DISTINCT FROM NEW.queue) \
         EXECUTE FUNCTION queue_open_counts_follow()"
            .to_owned(),
    ]
}

/// SQLite: trigger bodies are statements, not a function; the conditions become `WHERE`
/// clauses.
fn sqlite() -> Vec<String> {
    let add = |row: &str| {
        format!(
            "INSERT INTO queue_open_counts (queue, shard, open_tickets) \
             SELECT {row}.queue, {row}.id % {SHARDS}, 1 WHERE {row}.status IN ({OPEN}) \
             ON CONFLICT (queue, shard) DO UPDATE SET open_tickets = open_tickets + 1;"
        )
    };
    let remove = |row: &str| {
        format!(
            "UPDATE queue_open_counts SET open_tickets = open_tickets - 1 \
             WHERE queue = {row}.queue AND shard = {row}.id % {SHARDS} \
               AND {row}.status IN ({OPEN});"
        )
    };
    vec![
        format!(
            "CREATE TRIGGER tickets_open_counts_insert AFTER INSERT ON tickets BEGIN {} END",
            add("NEW")
        ),
        format!(
            "CREATE TRIGGER tickets_open_counts_delete AFTER DELETE ON tickets BEGIN {} END",
            remove("OLD")
        ),
        format!(
            "CREATE TRIGGER tickets_open_counts_update AFTER UPDATE OF status, queue ON tickets \
             WHEN OLD.status IS NOT NEW.status OR OLD.queue IS NOT NEW.queue \
             BEGIN {} {} END",
            remove("OLD"),
            add("NEW")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let triggers = match manager.get_database_backend() {
            DatabaseBackend::Postgres => postgres(),
            _ => sqlite(),
        };
        // Filings wait while the table is counted, so none is missed between the
        // backfill and the triggers (SQLite's transaction already holds the only writer).
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        db.execute_unprepared(&create_table()).await?;
        for statement in triggers {
            db.execute_unprepared(&statement).await?;
        }
        db.execute_unprepared(&backfill()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS tickets_open_counts_update ON tickets",
                )
                .await?;
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS tickets_open_counts_insert_delete ON tickets",
                )
                .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS queue_open_counts_follow()")
                    .await?;
            }
            _ => {
                for name in [
                    "tickets_open_counts_insert",
                    "tickets_open_counts_delete",
                    "tickets_open_counts_update",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                        .await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS queue_open_counts")
            .await?;
        Ok(())
    }
}
