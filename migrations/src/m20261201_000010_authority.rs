//! The certificate authority's side of a ticket: the agent's latest finding there and
//! the link the requester must act on, as columns a queue can filter on. The new state
//! "awaiting the requester at the authority" is open, so the open-ticket index is built
//! again to include it (a partial index is used only when the query implies its
//! predicate), and a second one serves queue pages filtered by the authority's status.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    AuthorityStatus,
    AuthorityProfile,
    AuthorityValidUntil,
    AuthorityEnrolmentLocked,
    AuthorityNote,
    AuthorityRecordedBy,
    AuthorityRecordedAt,
    LinkStep,
    LinkSentAt,
    LinkExpiresAt,
}

const OPEN_BEFORE: &str = "'submitted', 'awaiting_endorsement', 'in_review', \
     'awaiting_requester', 'waiting_on_authority'";
pub(crate) const OPEN_NOW: &str = "'submitted', 'awaiting_endorsement', 'in_review', \
     'awaiting_requester', 'waiting_on_authority', 'awaiting_requester_at_authority'";

fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Tickets::AuthorityStatus)
            .string_len(32)
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityProfile)
            .string_len(16)
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityValidUntil)
            .date()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityEnrolmentLocked)
            .boolean()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityNote)
            .text()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityRecordedBy)
            .string_len(64)
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::AuthorityRecordedAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::LinkStep)
            .string_len(32)
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::LinkSentAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Tickets::LinkExpiresAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
    ]
}

async fn open_index(manager: &SchemaManager<'_>, statuses: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared("DROP INDEX IF EXISTS tickets_open_queue_created_at_id")
        .await?;
    db.execute_unprepared(&format!(
        "CREATE INDEX tickets_open_queue_created_at_id ON tickets (queue, created_at, id) \
         WHERE status IN ({statuses})"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the index is dropped and created again, and a pooled connection
    /// still reading the old schema would find the old one there; all or nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        open_index(manager, OPEN_NOW).await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX tickets_open_queue_authority_created_at_id \
                 ON tickets (queue, authority_status, created_at, id) WHERE status IN ({OPEN_NOW})"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS tickets_open_queue_authority_created_at_id")
            .await?;
        open_index(manager, OPEN_BEFORE).await?;
        for column in columns().into_iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column.get_column_name())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
