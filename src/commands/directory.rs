//! `certdesk officers import` and `certdesk staff import`: a directory from a CSV file,
//! all or nothing. Every row is read as the directory's fields and checked by the
//! directory's own rule (the one the API's `PUT` uses), every failure is listed with its
//! line, a NIP twice is refused, and nothing is imported unless every row passes. The two
//! directories differ only in their row: one path imports both.

use std::path::PathBuf;

use anyhow::Context;
use certdesk_domain::staff::{StaffFields, StaffMember};
use certdesk_domain::{DeskRules, EntryFields, Officer, OfficerFields, UnitCatalogue};
use certdesk_store::{KeptDirectory, Store, StoreSettings};
use clap::Subcommand;
use serde::Deserialize;

use crate::open_migrated_store;

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Insert or update entries from a CSV file with a header row: for officers
    /// `nip,name,unit,email,active`, for staff `nip,name,email,unit,language,role,active`.
    /// `active` is true or false (also yes/no, ya/tidak, aktif/nonaktif; empty is
    /// true). All rows are checked first; one bad row imports nothing.
    Import { csv: PathBuf },
}

/// A directory as its CSV file writes it.
pub trait CsvDirectory: KeptDirectory
where
    Self::Fields: Send,
{
    /// What an entry is called in the import's report.
    const ENTRIES: &'static str;
    /// One row of the file.
    type CsvRow: serde::de::DeserializeOwned;
    /// The row's NIP, the entry's fields (active, for now), and `active` as written.
    fn read(row: Self::CsvRow) -> (String, Self::Fields, String);
}

#[derive(Deserialize)]
pub struct OfficerRow {
    nip: String,
    name: String,
    unit: String,
    email: String,
    #[serde(default)]
    active: String,
}

impl CsvDirectory for Officer {
    const ENTRIES: &'static str = "officer(s)";
    type CsvRow = OfficerRow;

    fn read(row: OfficerRow) -> (String, OfficerFields, String) {
        let fields = OfficerFields {
            name: row.name,
            unit: row.unit,
            email: row.email,
            active: true,
        };
        (row.nip, fields, row.active)
    }
}

#[derive(Deserialize)]
pub struct StaffRow {
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

impl CsvDirectory for StaffMember {
    const ENTRIES: &'static str = "staff member(s)";
    type CsvRow = StaffRow;

    fn read(row: StaffRow) -> (String, StaffFields, String) {
        let fields = StaffFields {
            name: row.name,
            email: row.email,
            unit: row.unit,
            language: Some(row.language),
            role: row.role,
            active: true,
        };
        (row.nip, fields, row.active)
    }
}

pub async fn run<E: CsvDirectory>(
    rules: &DeskRules,
    store_settings: &StoreSettings,
    command: DirectoryCommand,
) -> anyhow::Result<()>
where
    E::Fields: Send,
{
    let DirectoryCommand::Import { csv: path } = command;
    let csv = std::fs::read(&path).with_context(|| format!("opening {}", path.display()))?;
    let store = open_migrated_store(store_settings).await?;
    let report = import_csv::<E>(rules, &store, &csv).await?;
    println!("{report}");
    Ok(())
}

/// Checks every row of a directory's CSV and imports all of them, or none; returns what
/// was done, in words.
pub async fn import_csv<E: CsvDirectory>(
    rules: &DeskRules,
    store: &Store,
    csv: &[u8],
) -> anyhow::Result<String>
where
    E::Fields: Send,
{
    let units = UnitCatalogue::new(store.units().await?);
    let entries = checked_rows::<E>(csv, rules, &units)?;
    let report = store.save_entries(&entries).await?;
    Ok(format!(
        "imported {} {}: {} new, {} updated",
        entries.len(),
        E::ENTRIES,
        report.inserted,
        report.updated
    ))
}

/// The checked entries of `csv`, or an error listing every bad line.
fn checked_rows<E: CsvDirectory>(
    csv: &[u8],
    rules: &DeskRules,
    units: &UnitCatalogue,
) -> anyhow::Result<Vec<E>>
where
    E::Fields: Send,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv);
    let mut entries: Vec<E> = Vec::new();
    let mut failures = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.deserialize::<E::CsvRow>().enumerate() {
        let line = index + 2; // the header is line 1
        let row = match record {
            Ok(row) => row,
            Err(error) => {
                failures.push(format!("line {line}: {error}"));
                continue;
            }
        };
        let (nip, mut fields, active) = E::read(row);
        // Every problem of the row at once: the `active` column's beside the rest.
        let active = yes_or_no(&active);
        match active {
            Some(active) => fields.set_active(active),
            None => failures.push(format!(
                "line {line}: active: the `active` column must be true or false \
                 (yes/no, ya/tidak, aktif/nonaktif; empty is true)"
            )),
        }
        match E::check(&nip, fields, rules.intake(units)) {
            Ok(_) if active.is_none() => {}
            Ok(entry) => {
                if let Some(first) = seen.insert(entry.nip().clone(), line) {
                    failures.push(format!(
                        "line {line}: NIP {} already on line {first}",
                        entry.nip()
                    ));
                }
                entries.push(entry);
            }
            Err(problems) => {
                failures.extend(problems.into_iter().map(|problem| {
                    format!("line {line}: {}: {}", problem.field, problem.message.en)
                }))
            }
        }
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "nothing imported; fix these rows:\n  {}",
            failures.join("\n  ")
        );
    }
    Ok(entries)
}

/// `active` as people write yes and no in a spreadsheet; empty means active.
fn yes_or_no(written: &str) -> Option<bool> {
    match written.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "ya" | "1" | "aktif" | "active" => Some(true),
        "false" | "no" | "tidak" | "0" | "nonaktif" | "inactive" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_domain::UnitEntry;

    fn units() -> UnitCatalogue {
        UnitCatalogue::new([UnitEntry {
            name: "Sekretariat Jenderal".into(),
            aliases: vec![],
        }])
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_passes() {
        let csv = "nip,name,unit,email,active\n\
                   197501012000031002,Kepala UPK,Sekretariat Jenderal,kepala.upk@kemenkeu.go.id,ya\n\
                   123,Kepala Dua,Sekretariat Jenderal,kepala.dua@kemenkeu.go.id,\n\
                   197501012000031002,Kepala UPK,Sekretariat Jenderal,kepala.upk@kemenkeu.go.id,mungkin\n\
                   197501012000031002,Kepala UPK,Sekretariat Jenderal,kepala.upk@kemenkeu.go.id,tidak\n";
        let refused = checked_rows::<Officer>(csv.as_bytes(), &DeskRules::default(), &units())
            .unwrap_err()
            .to_string();
        assert!(refused.contains("line 3: nip"), "{refused}");
        assert!(
            refused.contains("line 4: ") && refused.contains("`active` column"),
            "{refused}"
        );
        assert!(
            refused.contains("line 5: NIP 197501012000031002 already on line 2"),
            "{refused}"
        );
    }

    #[test]
    fn yes_and_no_are_read_as_people_write_them() {
        let csv = "nip,name,unit,email,active\n\
                   197501012000031002,Kepala UPK,Sekretariat Jenderal,kepala.upk@kemenkeu.go.id,\n\
                   197803152003122001,Kepala Dua,Sekretariat Jenderal,kepala.dua@kemenkeu.go.id,Tidak\n";
        let officers =
            checked_rows::<Officer>(csv.as_bytes(), &DeskRules::default(), &units()).unwrap();
        assert!(officers[0].active, "empty is active");
        assert!(!officers[1].active);
    }
}
