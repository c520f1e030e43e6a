//! The desk's clocks: when the assigned agent was told that the requester's link
//! expired, and when the officer was last reminded of an endorsement, so that each
//! reminder goes out once (per day, for endorsements) however many workers run. Partial
//! indexes hold only the tickets a clock may concern, so a pass finds what is due
//! without reading the rest.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    LinkRemindedAt,
    EndorsementRemindedAt,
}

const INDEXES: [(&str, &str); 3] = [
    (
        "tickets_link_due",
        "ON tickets (link_expires_at) \
         WHERE status = 'awaiting_requester_at_authority' AND link_reminded_at IS NULL",
    ),
    (
        "tickets_endorsement_due",
        "ON tickets (created_at) WHERE status = 'awaiting_endorsement'",
    ),
    (
        "tickets_resolved_due",
        "ON tickets (resolved_at) WHERE status = 'resolved'",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tickets::LinkRemindedAt, Tickets::EndorsementRemindedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(ColumnDef::new(column).timestamp_with_time_zone().null())
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        for (name, definition) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} {definition}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        for column in [Tickets::EndorsementRemindedAt, Tickets::LinkRemindedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
