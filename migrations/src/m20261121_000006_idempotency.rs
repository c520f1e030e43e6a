//! Idempotency keys for filing tickets: a retried `POST /api/v1/tickets` with the same key
//! finds the response it was first given instead of filing a second ticket.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Principal,
    Key,
    Fingerprint,
    TicketNumber,
    ResponseBody,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    // Keys are per caller (a NIP, or `token:<id>`), so two integrators'
                    // keys never collide and nobody can replay another's response.
                    .col(string_len(IdempotencyKeys::Principal, 255))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    // SHA-256 of the request as the desk understood it (the ticket's JSON
                    // and each file's hash), not of its raw bytes: a client library that
                    // picks a new multipart boundary for the retry still matches.
                    .col(char_len(IdempotencyKeys::Fingerprint, 64))
                    .col(char_len(IdempotencyKeys::TicketNumber, 12))
                    // The 201 body exactly as first sent.
                    .col(text(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Principal)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_keys_expires_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
