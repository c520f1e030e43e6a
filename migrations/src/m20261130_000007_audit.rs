//! The audit of looks at personal data (UU 27/2022): one row per download of an
//! attachment (refused attempts too) and per NIK shown unmasked to someone other than
//! its owner. The audit and the tickets' history are append-only in the database
//! itself: a trigger refuses every UPDATE and DELETE, whoever sends it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Capacity,
    Kind,
    Ticket,
    Detail,
    ClientIp,
    RequestId,
}

const APPEND_ONLY: [&str; 2] = ["audit_log", "ticket_history"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    // A NIP, or `token:<name>` for an API token.
                    .col(string_len(AuditLog::Actor, 255))
                    .col(string_len(AuditLog::Capacity, 32))
                    .col(string_len(AuditLog::Kind, 32))
                    // The ticket number as asked for: a refused look may name a ticket
                    // that does not exist, so this is no foreign key.
                    .col(char_len_null(AuditLog::Ticket, 12))
                    .col(string_len_null(AuditLog::Detail, 64))
                    .col(string_len_null(AuditLog::ClientIp, 45))
                    .col(string_len_null(AuditLog::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("audit_log_ticket", AuditLog::Ticket),
            ("audit_log_actor", AuditLog::Actor),
            ("audit_log_at", AuditLog::At),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .col(AuditLog::Id)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // Triggers are each backend's own SQL; sea-query has no statement for them.
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION certdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION '% is append-only: its rows are never changed or deleted', TG_TABLE_NAME; END $$",
                )
                .await?;
                for table in APPEND_ONLY {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION certdesk_append_only()"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_never_truncated BEFORE TRUNCATE ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION certdesk_append_only()"
                    ))
                    .await?;
                }
            }
            DatabaseBackend::Sqlite => {
                for table in APPEND_ONLY {
                    for change in ["UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_no_{change} BEFORE {change} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only: its rows are never changed or deleted'); END",
                            change = change.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "no append-only triggers for {other:?}"
                )));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for table in APPEND_ONLY {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_never_truncated ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS certdesk_append_only()")
                    .await?;
            }
            _ => {
                for table in APPEND_ONLY {
                    for change in ["update", "delete"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_no_{change}"
                        ))
                        .await?;
                    }
                }
            }
        }
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
