//! Retention: when a ticket ended (its periods count from then) and when its NIK was
//! erased. Tickets that had already ended take the time of their last change.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    EndedAt,
    NikErasedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tickets::EndedAt, Tickets::NikErasedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(ColumnDef::new(column).timestamp_with_time_zone().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tickets SET ended_at = updated_at \
                 WHERE status IN ('closed', 'rejected', 'cancelled')",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tickets_ended_at")
                    .table(Tickets::Table)
                    .col(Tickets::EndedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("tickets_ended_at")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Tickets::NikErasedAt, Tickets::EndedAt] {
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
