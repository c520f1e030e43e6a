//! The directory: Eselon I units, responsible officers and RA staff.

use std::collections::HashSet;

use certdesk_domain::staff::{StaffMember, StaffRow};
use certdesk_domain::{Nip, Officer, OfficerRow, UnitEntry};
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};

use crate::entities::{officers, staff, unit_aliases, units};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
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

    /// The directory entry for a NIP, as stored; the caller checks it against the rules.
    pub async fn officer(&self, nip: &Nip) -> Result<Option<OfficerRow>, StoreError> {
        Ok(officers::Entity::find_by_id(nip.as_str().to_owned())
            .one(&self.db)
            .await?
            .map(officer_row))
    }

    /// The whole directory, by NIP. Hundreds of rows: no paging needed.
    pub async fn officers(&self) -> Result<Vec<OfficerRow>, StoreError> {
        Ok(officers::Entity::find()
            .order_by_asc(officers::Column::Nip)
            .all(&self.db)
            .await?
            .into_iter()
            .map(officer_row)
            .collect())
    }

    /// Inserts or updates officers by NIP, all or nothing.
    pub async fn import_officers(&self, officers: &[Officer]) -> Result<ImportReport, StoreError> {
        let txn = self.begin_write().await?;
        let existing: HashSet<String> = officers::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|o| o.nip)
            .collect();
        let now = Utc::now();
        let mut report = ImportReport {
            inserted: 0,
            updated: 0,
        };
        // One statement per officer: directories are hundreds of rows, imported rarely.
        for officer in officers {
            if existing.contains(officer.nip.as_str()) {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
            officers::Entity::insert(officers::ActiveModel {
                nip: Set(officer.nip.as_str().to_owned()),
                name: Set(officer.name.clone()),
                unit: Set(officer.unit.as_str().to_owned()),
                email: Set(officer.email.as_str().to_owned()),
                active: Set(officer.active),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(officers::Column::Nip)
                    .update_columns([
                        officers::Column::Name,
                        officers::Column::Unit,
                        officers::Column::Email,
                        officers::Column::Active,
                        officers::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(report)
    }
}

/// A directory entry as stored; the caller checks it against the rules.
fn officer_row(o: officers::Model) -> OfficerRow {
    OfficerRow {
        nip: o.nip,
        name: o.name,
        unit: o.unit,
        email: o.email,
        active: o.active.to_string(),
    }
}

impl Store {
    /// A staff member's entry, as stored; the caller checks it against the rules.
    pub async fn staff_member(&self, nip: &Nip) -> Result<Option<StaffRow>, StoreError> {
        Ok(staff::Entity::find_by_id(nip.as_str().to_owned())
            .one(&self.db)
            .await?
            .map(staff_row))
    }

    /// The whole staff directory, by NIP.
    pub async fn staff(&self) -> Result<Vec<StaffRow>, StoreError> {
        Ok(staff::Entity::find()
            .order_by_asc(staff::Column::Nip)
            .all(&self.db)
            .await?
            .into_iter()
            .map(staff_row)
            .collect())
    }

    /// Inserts or updates staff by NIP, all or nothing.
    pub async fn import_staff(&self, members: &[StaffMember]) -> Result<ImportReport, StoreError> {
        let txn = self.begin_write().await?;
        let existing: HashSet<String> = staff::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|s| s.nip)
            .collect();
        let now = Utc::now();
        let mut report = ImportReport {
            inserted: 0,
            updated: 0,
        };
        for member in members {
            if existing.contains(member.nip.as_str()) {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
            staff::Entity::insert(staff::ActiveModel {
                nip: Set(member.nip.as_str().to_owned()),
                name: Set(member.name.clone()),
                email: Set(member.email.as_str().to_owned()),
                unit: Set(member.unit.as_str().to_owned()),
                language: Set(member.language.code().to_owned()),
                role: Set(member.role.code().to_owned()),
                active: Set(member.active),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(staff::Column::Nip)
                    .update_columns([
                        staff::Column::Name,
                        staff::Column::Email,
                        staff::Column::Unit,
                        staff::Column::Language,
                        staff::Column::Role,
                        staff::Column::Active,
                        staff::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(report)
    }
}

fn staff_row(s: staff::Model) -> StaffRow {
    StaffRow {
        nip: s.nip,
        name: s.name,
        email: s.email,
        unit: s.unit,
        language: s.language,
        role: s.role,
        active: s.active.to_string(),
    }
}
