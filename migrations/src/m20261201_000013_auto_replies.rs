//! How many auto-replies each sender had in the current hour, so that the desk answers a
//! person a few times and never keeps a loop going with another machine. Senders are
//! kept by a digest of their normalised address, not the address.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AutoReplyBudget {
    Table,
    SenderKey,
    WindowStart,
    Sent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AutoReplyBudget::Table)
                    .col(char_len(AutoReplyBudget::SenderKey, 64).primary_key())
                    .col(timestamp_with_time_zone(AutoReplyBudget::WindowStart))
                    .col(integer(AutoReplyBudget::Sent))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AutoReplyBudget::Table).to_owned())
            .await
    }
}
