//! What intake warned about when the ticket was filed (the NIK disagreeing with the NIP,
//! a change that needs a revocation first, one that needs no certificate change), kept
//! with the ticket so that the agent sees what the requester was told. The messages are
//! the domain's fixed wording; no value the requester wrote is in them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    IntakeWarnings,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(json_binary_null(Tickets::IntakeWarnings))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::IntakeWarnings)
                    .to_owned(),
            )
            .await
    }
}
