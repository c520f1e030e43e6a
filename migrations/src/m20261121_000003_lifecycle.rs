//! The ticket's life: who works it, its concurrency version, its queue, its history;
//! routing rules; API tokens for integrators.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Queue,
    AssigneeNip,
    Version,
    OpenSlot,
    ResolvedAt,
    CreatedAt,
    Status,
}

#[derive(DeriveIden)]
enum RoutingRules {
    Table,
    Id,
    Position,
    Service,
    Unit,
    Queue,
}

#[derive(DeriveIden)]
enum TicketHistory {
    Table,
    Id,
    TicketId,
    At,
    ActorNip,
    ActorRole,
    Kind,
    FromStatus,
    ToStatus,
    Reason,
    Visibility,
    Detail,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Scopes,
    CreatedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            // The RA queue the routing rules chose at intake.
            string_len(Tickets::Queue, 64).default("general").to_owned(),
            // The RA agent working the ticket; null until claimed or assigned.
            char_len_null(Tickets::AssigneeNip, 18).to_owned(),
            // Bumped by every change; the ETag, and the guard of conditional updates.
            integer(Tickets::Version).default(1).to_owned(),
            // `{nip}/{service}/{subtype}` while the ticket is open, null once it ends: a
            // unique index on it allows one open ticket per requester, service and
            // sub-type, race-free on both backends (nulls never collide).
            string_len_null(Tickets::OpenSlot, 64).to_owned(),
            // When it was last resolved: the start of the reopen window.
            timestamp_with_time_zone_null(Tickets::ResolvedAt).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("tickets_open_slot")
                    .table(Tickets::Table)
                    .col(Tickets::OpenSlot)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Queue pages: a queue's tickets by age, filtered by status, read by keyset on
        // (created_at, id); the index serves the order and the seek.
        manager
            .create_index(
                Index::create()
                    .name("tickets_queue_status_created_at_id")
                    .table(Tickets::Table)
                    .col(Tickets::Queue)
                    .col(Tickets::Status)
                    .col(Tickets::CreatedAt)
                    .col(Tickets::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tickets_queue_created_at_id")
                    .table(Tickets::Table)
                    .col(Tickets::Queue)
                    .col(Tickets::CreatedAt)
                    .col(Tickets::Id)
                    .to_owned(),
            )
            .await?;
        // The RA's everyday view: a queue's open tickets, oldest first. Most tickets are
        // closed, so a full index would make such a page walk past every closed ticket
        // before the first open one; this one holds open tickets only, and PostgreSQL uses
        // it for any status filter within the open set. (Same SQL on both backends;
        // sea-query has no builder for partial indexes.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX tickets_open_queue_created_at_id ON tickets (queue, created_at, id) \
                 WHERE status IN ('submitted', 'awaiting_endorsement', 'in_review', \
                 'awaiting_requester', 'waiting_on_authority')",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tickets_assignee_created_at")
                    .table(Tickets::Table)
                    .col(Tickets::AssigneeNip)
                    .col(Tickets::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoutingRules::Table)
                    .col(pk_auto(RoutingRules::Id))
                    // Rules are evaluated in this order; the first match wins.
                    .col(integer(RoutingRules::Position))
                    // Null matches any service / unit.
                    .col(string_len_null(RoutingRules::Service, 8))
                    .col(string_null(RoutingRules::Unit))
                    .col(string_len(RoutingRules::Queue, 64))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketHistory::Table)
                    .col(big_pk_auto(TicketHistory::Id))
                    .col(big_integer(TicketHistory::TicketId))
                    .col(timestamp_with_time_zone(TicketHistory::At))
                    // Who: a NIP, or `token:<name>` for an integrator's API token.
                    .col(string_len(TicketHistory::ActorNip, 80))
                    .col(string_len(TicketHistory::ActorRole, 32))
                    // created | transition | comment | assignment | download | attachment_replaced
                    .col(string_len(TicketHistory::Kind, 32))
                    .col(string_len_null(TicketHistory::FromStatus, 32))
                    .col(string_len_null(TicketHistory::ToStatus, 32))
                    .col(text_null(TicketHistory::Reason))
                    // public: the requester sees it; internal: RA staff only.
                    .col(string_len(TicketHistory::Visibility, 16).default("public"))
                    // The action's or comment's details (action code, comment text, kind).
                    .col(json_binary_null(TicketHistory::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketHistory::Table, TicketHistory::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ticket_history_ticket_id_id")
                    .table(TicketHistory::Table)
                    .col(TicketHistory::TicketId)
                    .col(TicketHistory::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(uuid(ApiTokens::Id).primary_key())
                    .col(string_len_uniq(ApiTokens::Name, 64))
                    // SHA-256 of the token: the token itself is shown once and never stored.
                    // A slow hash buys nothing for 256 random bits.
                    .col(char_len(ApiTokens::TokenHash, 64).unique_key())
                    // Space-separated scopes, e.g. `tickets:write tickets:read`.
                    .col(string(ApiTokens::Scopes))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiTokens::Table.into_iden(),
            TicketHistory::Table.into_iden(),
            RoutingRules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for index in [
            "tickets_open_queue_created_at_id",
            "tickets_open_slot",
            "tickets_queue_status_created_at_id",
            "tickets_queue_created_at_id",
            "tickets_assignee_created_at",
        ] {
            manager
                .drop_index(Index::drop().name(index).table(Tickets::Table).to_owned())
                .await?;
        }
        for column in [
            Tickets::Queue.into_iden(),
            Tickets::AssigneeNip.into_iden(),
            Tickets::Version.into_iden(),
            Tickets::OpenSlot.into_iden(),
            Tickets::ResolvedAt.into_iden(),
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
        Ok(())
    }
}
