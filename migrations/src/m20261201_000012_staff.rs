//! The RA staff directory: agents and supervisors, where to write to them and in which
//! language, and whether they still work the desk. Like officers, staff are deactivated,
//! never deleted: the history names them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Staff {
    Table,
    Nip,
    Name,
    Email,
    Unit,
    Language,
    Role,
    Active,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Staff::Table)
                    .col(char_len(Staff::Nip, 18).primary_key())
                    .col(string(Staff::Name))
                    .col(string(Staff::Email))
                    .col(string(Staff::Unit))
                    .col(string_len(Staff::Language, 8))
                    .col(string_len(Staff::Role, 16))
                    .col(boolean(Staff::Active).default(true))
                    .col(timestamp_with_time_zone(Staff::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Staff::Table, Staff::Unit)
                            .to(Units::Table, Units::Name)
                            .on_update(ForeignKeyAction::Cascade)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Staff::Table).to_owned())
            .await
    }
}
