//! Service levels: each ticket's clocks (endorsement, first response, resolution), and on
//! the ticket the instants its running clocks fall due and are at risk, and when one of
//! them went past its target, so that a queue can filter and sort by them without
//! reading the clocks.
//!
//! A clock is its target and the working time it used before its current phase, the
//! phase (`running`, `paused`, `stopped`) and when that phase began; `due_at` and
//! `at_risk_at` are kept for a running clock only: the instants the desk's calendar put
//! them at when it started or resumed. Tickets filed before this migration have no
//! clocks; theirs start at their next change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    SlaDueAt,
    SlaAtRiskAt,
    SlaBreachedAt,
}

#[derive(DeriveIden)]
enum TicketClocks {
    Table,
    TicketId,
    Kind,
    TargetSecs,
    UsedSecs,
    Phase,
    PhaseSince,
    Pause,
    DueAt,
    AtRiskAt,
    BreachedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TicketClocks::Table)
                    .col(big_integer(TicketClocks::TicketId))
                    // endorsement | first_response | resolution
                    .col(string_len(TicketClocks::Kind, 32))
                    .col(big_integer(TicketClocks::TargetSecs))
                    .col(big_integer(TicketClocks::UsedSecs))
                    // running | paused | stopped
                    .col(string_len(TicketClocks::Phase, 16))
                    .col(timestamp_with_time_zone(TicketClocks::PhaseSince))
                    // Why a paused clock waits.
                    .col(string_len_null(TicketClocks::Pause, 32))
                    .col(timestamp_with_time_zone_null(TicketClocks::DueAt))
                    .col(timestamp_with_time_zone_null(TicketClocks::AtRiskAt))
                    .col(timestamp_with_time_zone_null(TicketClocks::BreachedAt))
                    .primary_key(
                        Index::create()
                            .col(TicketClocks::TicketId)
                            .col(TicketClocks::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketClocks::Table, TicketClocks::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [
            Tickets::SlaDueAt,
            Tickets::SlaAtRiskAt,
            Tickets::SlaBreachedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Tickets::SlaBreachedAt,
            Tickets::SlaAtRiskAt,
            Tickets::SlaDueAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(TicketClocks::Table).to_owned())
            .await?;
        Ok(())
    }
}
