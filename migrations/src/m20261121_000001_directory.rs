//! The directory intake checks against: Eselon I units and responsible officers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum UnitAliases {
    Table,
    UnitId,
    Alias,
}

#[derive(DeriveIden)]
enum Officers {
    Table,
    Nip,
    Name,
    Unit,
    Email,
    Active,
    UpdatedAt,
}

const SEED: &str = include_str!("seed/eselon1_units.txt");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(pk_auto(Units::Id))
                    // The form written on certificate profiles; what tickets store.
                    .col(string_uniq(Units::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitAliases::Table)
                    .col(integer(UnitAliases::UnitId))
                    // Another full name of the same unit, accepted on input.
                    .col(string(UnitAliases::Alias))
                    .primary_key(
                        Index::create()
                            .col(UnitAliases::UnitId)
                            .col(UnitAliases::Alias),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitAliases::Table, UnitAliases::UnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Officers::Table)
                    // A NIP is the officer's identity in the ministry; 18 digits, checked
                    // by the domain before it gets here.
                    .col(char_len(Officers::Nip, 18).primary_key())
                    .col(string(Officers::Name))
                    // Renaming a unit renames it for its officers too.
                    .col(string(Officers::Unit))
                    .col(string(Officers::Email))
                    // Officers are deactivated, never deleted: old tickets still name them.
                    .col(boolean(Officers::Active).default(true))
                    .col(timestamp_with_time_zone(Officers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Officers::Table, Officers::Unit)
                            .to(Units::Table, Units::Name)
                            .on_update(ForeignKeyAction::Cascade)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        for (id, line) in SEED
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .enumerate()
        {
            let mut names = line.split(" | ").map(str::trim);
            let Some(name) = names.next() else { continue };
            let id = id as i32 + 1;
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(Units::Table)
                        .columns([Units::Id, Units::Name])
                        .values_panic([id.into(), name.into()])
                        .to_owned(),
                )
                .await?;
            for alias in names {
                manager
                    .exec_stmt(
                        Query::insert()
                            .into_table(UnitAliases::Table)
                            .columns([UnitAliases::UnitId, UnitAliases::Alias])
                            .values_panic([id.into(), alias.into()])
                            .to_owned(),
                    )
                    .await?;
            }
        }
        // Ids were given explicitly to tie aliases to their units; PostgreSQL's sequence
        // must learn where they end, or the next unit added through SQL would collide.
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("SELECT setval(pg_get_serial_sequence('units', 'id'), (SELECT MAX(id) FROM units))")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Officers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UnitAliases::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Units::Table).to_owned())
            .await
    }
}
