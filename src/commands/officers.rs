//! `certdesk officers …`: the responsible officers' directory from a CSV file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use certdesk_domain::DeskRules;
use certdesk_domain::{Officer, OfficerRow, UnitCatalogue};
use certdesk_store::{Store, StoreSettings};
use clap::Subcommand;

use super::directory_csv::checked_rows;
use crate::open_migrated_store;

#[derive(Subcommand)]
pub enum OfficersCommand {
    /// Insert or update officers from a CSV file with the header
    /// `nip,name,unit,email,active`. All rows are checked first; one bad row imports
    /// nothing.
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

/// Checks every row of an officers CSV and imports all of them, or none; returns what
/// was done, in words.
pub async fn import_csv(rules: &DeskRules, store: &Store, csv: &[u8]) -> anyhow::Result<String> {
    let units = UnitCatalogue::new(store.units().await?);
    let domains = &rules.email_domains;
    let officers = checked_rows(
        csv,
        |row: CsvOfficer| Officer::from_row(&row.into(), &units, domains),
        |officer: &Officer| &officer.nip,
    )?;
    let report = store.import_officers(&officers).await?;
    Ok(format!(
        "imported {} officer(s): {} new, {} updated",
        officers.len(),
        report.inserted,
        report.updated
    ))
}

#[derive(serde::Deserialize)]
struct CsvOfficer {
    nip: String,
    name: String,
    unit: String,
    email: String,
    #[serde(default)]
    active: String,
}

impl From<CsvOfficer> for OfficerRow {
    fn from(row: CsvOfficer) -> Self {
        Self {
            nip: row.nip,
            name: row.name,
            unit: row.unit,
            email: row.email,
            active: row.active,
        }
    }
}
