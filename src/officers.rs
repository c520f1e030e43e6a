//! `certdesk officers …`: the responsible officers' directory from a CSV file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use certdesk_api::config::Settings;
use certdesk_domain::{Officer, OfficerRow, UnitCatalogue};
use certdesk_store::{Store, StoreSettings};
use clap::Subcommand;

use crate::open_migrated_store;

#[derive(Subcommand)]
pub enum OfficersCommand {
    /// Insert or update officers from a CSV file with the header
    /// `nip,name,unit,email,active`. All rows are checked first; one bad row imports
    /// nothing.
    Import { csv: PathBuf },
}

pub async fn import(
    settings: &Settings,
    store_settings: &StoreSettings,
    path: &Path,
) -> anyhow::Result<()> {
    let csv = std::fs::read(path).with_context(|| format!("opening {}", path.display()))?;
    let store = open_migrated_store(store_settings).await?;
    let report = import_csv(settings, &store, &csv).await?;
    println!("{report}");
    Ok(())
}

/// Checks every row of an officers CSV and imports all of them, or none; returns what
/// was done, in words.
pub async fn import_csv(settings: &Settings, store: &Store, csv: &[u8]) -> anyhow::Result<String> {
    let units = UnitCatalogue::new(store.units().await?);
    let domains = settings.email_domains();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv);
    let mut officers = Vec::new();
    let mut failures = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.deserialize::<CsvOfficer>().enumerate() {
        let line = index + 2; // the header is line 1
        let row = match record {
            Ok(row) => row,
            Err(error) => {
                failures.push(format!("line {line}: {error}"));
                continue;
            }
        };
        match Officer::from_row(&row.into(), &units, &domains) {
            Ok(officer) => {
                if let Some(first) = seen.insert(officer.nip.clone(), line) {
                    failures.push(format!(
                        "line {line}: NIP {} already on line {first}",
                        officer.nip
                    ));
                }
                officers.push(officer);
            }
            Err(problems) => {
                for problem in problems {
                    failures.push(format!(
                        "line {line}: {}: {}",
                        problem.field, problem.message.en
                    ));
                }
            }
        }
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "nothing imported; fix these rows:\n  {}",
            failures.join("\n  ")
        );
    }
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
