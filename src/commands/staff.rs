//! `certdesk staff …`: the RA staff directory from a CSV file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use certdesk_domain::DeskRules;
use certdesk_domain::UnitCatalogue;
use certdesk_domain::staff::{StaffMember, StaffRow};
use certdesk_store::{Store, StoreSettings};
use clap::Subcommand;

use super::directory_csv::checked_rows;
use crate::open_migrated_store;

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Insert or update RA agents and supervisors from a CSV file with the header
    /// `nip,name,email,unit,language,role,active`. All rows are checked first; one bad
    /// row imports nothing.
    Import { csv: PathBuf },
}

pub async fn import(
    rules: &DeskRules,
    store_settings: &StoreSettings,
    path: &Path,
) -> anyhow::Result<()> {
    let csv = std::fs::read(path).with_context(|| format!("opening {}", path.display()))?;
    let store = open_migrated_store(store_settings).await?;
    let report = import_csv(rules, &store, &csv).await?;
    println!("{report}");
    Ok(())
}

/// Checks every row of a staff CSV and imports all of them, or none; returns what was
/// done, in words.
pub async fn import_csv(rules: &DeskRules, store: &Store, csv: &[u8]) -> anyhow::Result<String> {
    let units = UnitCatalogue::new(store.units().await?);
    let domains = &rules.email_domains;
    let members = checked_rows(
        csv,
        |row: CsvStaff| StaffMember::from_row(&row.into(), &units, domains),
        |member: &StaffMember| &member.nip,
    )?;
    let report = store.import_staff(&members).await?;
    Ok(format!(
        "imported {} staff member(s): {} new, {} updated",
        members.len(),
        report.inserted,
        report.updated
    ))
}

#[derive(serde::Deserialize)]
struct CsvStaff {
    nip: String,
    name: String,
    email: String,
    unit: String,
    #[serde(default)]
    language: String,
    role: String,
    #[serde(default)]
    active: String,
}

impl From<CsvStaff> for StaffRow {
    fn from(row: CsvStaff) -> Self {
        Self {
            nip: row.nip,
            name: row.name,
            email: row.email,
            unit: row.unit,
            language: row.language,
            role: row.role,
            active: row.active,
        }
    }
}
