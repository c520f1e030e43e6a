//! Encryption at rest. Attachment files are named by a random id instead of their
//! SHA-256 (a plaintext digest lets whoever holds a known scan confirm it is here), and
//! each carries its wrapped data key; the NIK gets sealed, keyed-hash and masked columns.
//!
//! Existing rows keep working: a file moved here from `blobs` has no key yet and keeps its
//! digest as its id, and an old NIK stays in `requester_nik`, until the store seals them
//! on its next start (`Store::seal_legacy`), which needs the keys this migration cannot
//! see.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StoredFiles {
    Table,
    Id,
    ContentType,
    ByteSize,
    Width,
    Height,
    CreatedAt,
    KeyId,
    WrappedKey,
    SealedDigest,
    PurgedAt,
}

#[derive(DeriveIden)]
enum TicketAttachments {
    Table,
    TicketId,
    Kind,
    FileId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AttachmentsSealed {
    Table,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    NikSealed,
    NikKeyId,
    NikIndex,
    NikMasked,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the table is rebuilt and renamed, and every step must run on one
    /// connection that sees the previous one (a pooled connection may still hold the old
    /// schema), and all or none of it must happen.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .create_table(
                Table::create()
                    .table(StoredFiles::Table)
                    // A UUID for a sealed file; a legacy file's digest until it is sealed.
                    .col(string_len(StoredFiles::Id, 64).primary_key())
                    .col(string_len(StoredFiles::ContentType, 64))
                    .col(big_integer(StoredFiles::ByteSize))
                    .col(integer_null(StoredFiles::Width))
                    .col(integer_null(StoredFiles::Height))
                    .col(timestamp_with_time_zone(StoredFiles::CreatedAt))
                    // The master key that wraps the data key; NULL: not sealed yet.
                    .col(string_len_null(StoredFiles::KeyId, 32))
                    .col(blob_null(StoredFiles::WrappedKey))
                    .col(blob_null(StoredFiles::SealedDigest))
                    .col(timestamp_with_time_zone_null(StoredFiles::PurgedAt))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO stored_files (id, content_type, byte_size, width, height, created_at) \
             SELECT sha256, content_type, byte_size, width, height, created_at FROM blobs",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AttachmentsSealed::Table)
                    .col(big_integer(TicketAttachments::TicketId))
                    .col(string_len(TicketAttachments::Kind, 32))
                    .col(string_len(TicketAttachments::FileId, 64))
                    .col(timestamp_with_time_zone(TicketAttachments::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(TicketAttachments::TicketId)
                            .col(TicketAttachments::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttachmentsSealed::Table, TicketAttachments::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttachmentsSealed::Table, TicketAttachments::FileId)
                            .to(StoredFiles::Table, StoredFiles::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO attachments_sealed (ticket_id, kind, file_id, created_at) \
             SELECT ticket_id, kind, blob_sha256, created_at FROM ticket_attachments",
        )
        .await?;
        manager
            .drop_table(Table::drop().table(TicketAttachments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("blobs")).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(AttachmentsSealed::Table, TicketAttachments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ticket_attachments_file")
                    .table(TicketAttachments::Table)
                    .col(TicketAttachments::FileId)
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            ColumnDef::new(Tickets::NikSealed)
                .binary()
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::NikKeyId)
                .string_len(32)
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::NikIndex)
                .char_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::NikMasked)
                .string_len(16)
                .null()
                .to_owned(),
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
                    .name("tickets_nik_index")
                    .table(Tickets::Table)
                    .col(Tickets::NikIndex)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Sealed files cannot be put back under their digests without the keys.
        Err(DbErr::Migration(
            "encryption at rest is not undone by a migration".into(),
        ))
    }
}
