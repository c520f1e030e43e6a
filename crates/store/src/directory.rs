//! The directory: Eselon I units, and the two directories of people (responsible
//! officers, RA staff), kept by one generic path. A stored entry is read back as the
//! domain's typed entry against the rules in force, or as `Listed::Outdated` with what it
//! breaks; the store never hands up a row as strings to be parsed again.

use std::collections::HashSet;

use certdesk_domain::staff::StaffMember;
use certdesk_domain::{
    DirectoryEntry, IntakeRules, Listed, Nip, Officer, OfficerFields, UnitEntry, staff::StaffFields,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::{officers, staff, unit_aliases, units};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
}

/// A directory the store keeps: which table holds its entries, and how an entry is
/// written to a row and read back from one. Implemented for the domain's `Officer` and
/// `StaffMember`, and only here.
pub trait KeptDirectory: DirectoryEntry + Send + Sync + 'static
where
    Self::Fields: Send,
{
    #[doc(hidden)]
    type Entity: EntityTrait<Model = Self::Row, ActiveModel = Self::Changes>;
    #[doc(hidden)]
    type Row: IntoActiveModel<Self::Changes> + Send + Sync;
    #[doc(hidden)]
    type Changes: ActiveModelTrait<Entity = Self::Entity> + Send;
    #[doc(hidden)]
    const NIP: <Self::Entity as EntityTrait>::Column;
    #[doc(hidden)]
    const ACTIVE: <Self::Entity as EntityTrait>::Column;
    #[doc(hidden)]
    const UPDATED_AT: <Self::Entity as EntityTrait>::Column;
    /// The columns an import overwrites.
    #[doc(hidden)]
    const CHANGED: &'static [<Self::Entity as EntityTrait>::Column];

    #[doc(hidden)]
    fn row(&self, now: DateTime<Utc>) -> Self::Row;
    #[doc(hidden)]
    fn fields_of(row: Self::Row) -> (String, Self::Fields);
}

impl KeptDirectory for Officer {
    type Entity = officers::Entity;
    type Row = officers::Model;
    type Changes = officers::ActiveModel;
    const NIP: officers::Column = officers::Column::Nip;
    const ACTIVE: officers::Column = officers::Column::Active;
    const UPDATED_AT: officers::Column = officers::Column::UpdatedAt;
    const CHANGED: &'static [officers::Column] = &[
        officers::Column::Name,
        officers::Column::Unit,
        officers::Column::Email,
        officers::Column::Active,
        officers::Column::UpdatedAt,
    ];

    fn row(&self, now: DateTime<Utc>) -> officers::Model {
        officers::Model {
            nip: self.nip.as_str().to_owned(),
            name: self.name.clone(),
            unit: self.unit.as_str().to_owned(),
            email: self.email.as_str().to_owned(),
            active: self.active,
            updated_at: now,
        }
    }

    fn fields_of(row: officers::Model) -> (String, OfficerFields) {
        let fields = OfficerFields {
            name: row.name,
            unit: row.unit,
            email: row.email,
            active: row.active,
        };
        (row.nip, fields)
    }
}

impl KeptDirectory for StaffMember {
    type Entity = staff::Entity;
    type Row = staff::Model;
    type Changes = staff::ActiveModel;
    const NIP: staff::Column = staff::Column::Nip;
    const ACTIVE: staff::Column = staff::Column::Active;
    const UPDATED_AT: staff::Column = staff::Column::UpdatedAt;
    const CHANGED: &'static [staff::Column] = &[
        staff::Column::Name,
        staff::Column::Email,
        staff::Column::Unit,
        staff::Column::Language,
        staff::Column::Role,
        staff::Column::Active,
        staff::Column::UpdatedAt,
    ];

    fn row(&self, now: DateTime<Utc>) -> staff::Model {
        staff::Model {
            nip: self.nip.as_str().to_owned(),
            name: self.name.clone(),
            email: self.email.as_str().to_owned(),
            unit: self.unit.as_str().to_owned(),
            language: self.language.code().to_owned(),
            role: self.role.code().to_owned(),
            active: self.active,
            updated_at: now,
        }
    }

    fn fields_of(row: staff::Model) -> (String, StaffFields) {
        let fields = StaffFields {
            name: row.name,
            email: row.email,
            unit: row.unit,
            language: Some(row.language),
            role: row.role,
            active: row.active,
        };
        (row.nip, fields)
    }
}

impl Store {
    /// Every unit with its aliases, in the order they were added.
    pub async fn units(&self) -> Result<Vec<UnitEntry>, StoreError> {
        let units = units::Entity::find()
            .order_by_asc(units::Column::Id)
            .all(&self.db)
            .await?;
        let aliases = unit_aliases::Entity::find().all(&self.db).await?;
        Ok(units
            .into_iter()
            .map(|unit| UnitEntry {
                aliases: aliases
                    .iter()
                    .filter(|a| a.unit_id == unit.id)
                    .map(|a| a.alias.clone())
                    .collect(),
                name: unit.name,
            })
            .collect())
    }

    /// The entry for a NIP in directory `E`, read against `rules`.
    pub async fn directory_entry<E: KeptDirectory>(
        &self,
        nip: &Nip,
        rules: IntakeRules<'_>,
    ) -> Result<Option<Listed<E>>, StoreError>
    where
        E::Fields: Send,
    {
        Ok(E::Entity::find()
            .filter(E::NIP.eq(nip.as_str()))
            .one(&self.db)
            .await?
            .map(|row| {
                let (nip, fields) = E::fields_of(row);
                Listed::read(nip, fields, rules)
            }))
    }

    /// The whole directory `E`, by NIP, each entry read against `rules`. Hundreds of
    /// rows: no paging needed.
    pub async fn directory<E: KeptDirectory>(
        &self,
        rules: IntakeRules<'_>,
    ) -> Result<Vec<Listed<E>>, StoreError>
    where
        E::Fields: Send,
    {
        Ok(E::Entity::find()
            .order_by_asc(E::NIP)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let (nip, fields) = E::fields_of(row);
                Listed::read(nip, fields, rules)
            })
            .collect())
    }

    /// Whether directory `E` has anyone in it at all.
    pub async fn has_entries<E: KeptDirectory>(&self) -> Result<bool, StoreError>
    where
        E::Fields: Send,
    {
        Ok(E::Entity::find().one(&self.db).await?.is_some())
    }

    /// Makes someone in directory `E` inactive and changes nothing else: an entry that
    /// today's rules refuse (its mail domain taken off the list) must still be stoppable
    /// from being assigned work. False when nobody has that NIP.
    pub async fn deactivate_entry<E: KeptDirectory>(&self, nip: &str) -> Result<bool, StoreError>
    where
        E::Fields: Send,
    {
        use sea_orm::sea_query::Expr;
        let done = E::Entity::update_many()
            .col_expr(E::ACTIVE, Expr::value(false))
            .col_expr(E::UPDATED_AT, Expr::value(Utc::now()))
            .filter(E::NIP.eq(nip))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected > 0)
    }

    /// Inserts or updates entries by NIP, all or nothing.
    pub async fn save_entries<E: KeptDirectory>(
        &self,
        entries: &[E],
    ) -> Result<ImportReport, StoreError>
    where
        E::Fields: Send,
    {
        let txn = self.begin_write().await?;
        let existing: HashSet<String> = E::Entity::find()
            .select_only()
            .column(E::NIP)
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let now = Utc::now();
        let mut report = ImportReport {
            inserted: 0,
            updated: 0,
        };
        // One statement per entry: directories are hundreds of rows, imported rarely.
        for entry in entries {
            if existing.contains(entry.nip().as_str()) {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
            E::Entity::insert(entry.row(now).into_active_model())
                .on_conflict(
                    OnConflict::column(E::NIP)
                        .update_columns(E::CHANGED.iter().copied())
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(report)
    }
}
