//! Signed-in sessions of the RA console, kept on the server so that signing out ends them
//! at once. The cookie holds a random token; only
//! its SHA-256 is stored. Each session has its own CSRF token for the forms it is shown.
//! The language a person chose is remembered for their next sessions. A sign-in through
//! the SSO waits in `console_sign_ins` (its PKCE verifier and nonce, by the digest of its
//! state) until the provider sends the person back, once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsoleSessions {
    Table,
    TokenHash,
    Nip,
    Roles,
    Language,
    Csrf,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ConsolePreferences {
    Table,
    Nip,
    Language,
}

#[derive(DeriveIden)]
enum ConsoleSignIns {
    Table,
    StateHash,
    Nonce,
    Verifier,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSessions::Table)
                    .col(char_len(ConsoleSessions::TokenHash, 64).primary_key())
                    .col(char_len(ConsoleSessions::Nip, 18))
                    // Role codes, comma-separated, as the sign-in granted them.
                    .col(string_len(ConsoleSessions::Roles, 64))
                    .col(string_len(ConsoleSessions::Language, 8))
                    .col(char_len(ConsoleSessions::Csrf, 64))
                    .col(timestamp_with_time_zone(ConsoleSessions::CreatedAt))
                    .col(timestamp_with_time_zone(ConsoleSessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("console_sessions_by_nip")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::Nip)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsolePreferences::Table)
                    .col(char_len(ConsolePreferences::Nip, 18).primary_key())
                    .col(string_len(ConsolePreferences::Language, 8))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSignIns::Table)
                    .col(char_len(ConsoleSignIns::StateHash, 64).primary_key())
                    .col(string_len(ConsoleSignIns::Nonce, 128))
                    .col(string_len(ConsoleSignIns::Verifier, 128))
                    .col(timestamp_with_time_zone(ConsoleSignIns::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSignIns::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ConsolePreferences::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ConsoleSessions::Table).to_owned())
            .await
    }
}
