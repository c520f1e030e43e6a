//! Tickets, their attachments (content-addressed blobs) and their events.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Service,
    Subtype,
    Reason,
    ReasonDetail,
    Status,
    RequesterNip,
    RequesterNik,
    RequesterName,
    RequesterEmail,
    RequesterUnit,
    RequesterPosition,
    ResponsibleOfficerNip,
    Description,
    Changes,
    CertificateStatus,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
    ContentType,
    ByteSize,
    Width,
    Height,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketAttachments {
    Table,
    TicketId,
    Kind,
    BlobSha256,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Id,
    TicketId,
    Kind,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Officers {
    Table,
    Nip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    // The ticket number's digits. A sequence (bigserial) on PostgreSQL and
                    // AUTOINCREMENT on SQLite: both never hand out a number twice, even
                    // after the newest ticket is deleted or a transaction rolls back.
                    .col(big_pk_auto(Tickets::Id))
                    .col(
                        string_len(Tickets::Service, 8)
                            .check(Expr::col(Tickets::Service).is_in(["15.1", "15.2", "15.3"])),
                    )
                    // 15.2 only; the domain guarantees the pairing, the column just stores it.
                    .col(string_len_null(Tickets::Subtype, 32))
                    // 15.3 only.
                    .col(string_len_null(Tickets::Reason, 32))
                    .col(text_null(Tickets::ReasonDetail))
                    .col(string_len(Tickets::Status, 32).default("submitted"))
                    .col(char_len(Tickets::RequesterNip, 18))
                    // Personal data: never logged, masked for anyone but its owner. Null
                    // where the service does not need it.
                    .col(char_len_null(Tickets::RequesterNik, 16))
                    .col(string(Tickets::RequesterName))
                    .col(string(Tickets::RequesterEmail))
                    // The unit as it was when the ticket was filed; no foreign key, so a
                    // later reorganisation does not rewrite history.
                    .col(string(Tickets::RequesterUnit))
                    .col(string(Tickets::RequesterPosition))
                    .col(char_len(Tickets::ResponsibleOfficerNip, 18))
                    .col(text(Tickets::Description))
                    // The requested data changes (15.2 data_change): [{field, new_value}].
                    .col(json_binary_null(Tickets::Changes))
                    // The certificate status the requester reported seeing.
                    .col(string_len_null(Tickets::CertificateStatus, 32))
                    .col(timestamp_with_time_zone(Tickets::CreatedAt))
                    .col(timestamp_with_time_zone(Tickets::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::ResponsibleOfficerNip)
                            .to(Officers::Table, Officers::Nip)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // A requester's own tickets, and an officer's, newest first.
        manager
            .create_index(
                Index::create()
                    .name("tickets_requester_nip_created_at")
                    .table(Tickets::Table)
                    .col(Tickets::RequesterNip)
                    .col(Tickets::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tickets_officer_nip_created_at")
                    .table(Tickets::Table)
                    .col(Tickets::ResponsibleOfficerNip)
                    .col(Tickets::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    // Content address: the same file uploaded twice is stored once.
                    .col(char_len(Blobs::Sha256, 64).primary_key())
                    // Detected from the bytes, never taken from the client.
                    .col(string_len(Blobs::ContentType, 64))
                    .col(big_integer(Blobs::ByteSize))
                    // Read from the image header; null for PDFs.
                    .col(integer_null(Blobs::Width))
                    .col(integer_null(Blobs::Height))
                    .col(timestamp_with_time_zone(Blobs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TicketAttachments::Table)
                    .col(big_integer(TicketAttachments::TicketId))
                    .col(string_len(TicketAttachments::Kind, 32))
                    .col(char_len(TicketAttachments::BlobSha256, 64))
                    .col(timestamp_with_time_zone(TicketAttachments::CreatedAt))
                    // One file of each kind per ticket.
                    .primary_key(
                        Index::create()
                            .col(TicketAttachments::TicketId)
                            .col(TicketAttachments::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketAttachments::Table, TicketAttachments::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketAttachments::Table, TicketAttachments::BlobSha256)
                            .to(Blobs::Table, Blobs::Sha256)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketEvents::Table)
                    // A UUIDv7: unique across processes and ordered by time, so the worker
                    // can derive a stable Message-ID from it.
                    .col(uuid(TicketEvents::Id).primary_key())
                    .col(big_integer(TicketEvents::TicketId))
                    .col(string_len(TicketEvents::Kind, 40))
                    .col(json_binary(TicketEvents::Payload))
                    .col(timestamp_with_time_zone(TicketEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketEvents::Table, TicketEvents::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ticket_events_ticket_id_created_at")
                    .table(TicketEvents::Table)
                    .col(TicketEvents::TicketId)
                    .col(TicketEvents::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TicketEvents::Table.into_iden(),
            TicketAttachments::Table.into_iden(),
            Blobs::Table.into_iden(),
            Tickets::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
