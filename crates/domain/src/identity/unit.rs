//! Eselon I units. The list is data (a seeded table), because the ministry reorganises;
//! this module only knows how to match a written name against it: case and extra spaces
//! are forgiven, abbreviations never are.

use std::collections::HashMap;
use std::fmt;

use crate::problem::{Message, ProblemCode, Rule};

/// One unit as stored: the form written on certificates, and other full names that mean
/// the same unit (e.g. the ministry's name for a unit whose profile form differs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    pub name: String,
    pub aliases: Vec<String>,
}

/// A unit known to the catalogue, in its stored form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unit(String);

impl Unit {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Eselon I unit")]
pub struct UnitUnknown;

#[derive(Debug, Clone, Default)]
pub struct UnitCatalogue {
    by_key: HashMap<String, Unit>,
    names: Vec<String>,
}

fn match_key(written: &str) -> String {
    written
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

impl UnitCatalogue {
    pub fn new(entries: impl IntoIterator<Item = UnitEntry>) -> Self {
        let mut catalogue = Self::default();
        for entry in entries {
            let unit = Unit(entry.name.trim().to_owned());
            for written in std::iter::once(&entry.name).chain(&entry.aliases) {
                catalogue.by_key.insert(match_key(written), unit.clone());
            }
            catalogue.names.push(unit.0);
        }
        catalogue
    }

    pub fn resolve(&self, written: &str) -> Result<Unit, UnitUnknown> {
        self.by_key
            .get(&match_key(written))
            .cloned()
            .ok_or(UnitUnknown)
    }

    /// The stored forms, in catalogue order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

impl Rule for UnitUnknown {
    fn code(&self) -> ProblemCode {
        ProblemCode::UnitUnknown
    }

    fn message(&self) -> Message {
        Message::new(
            "Unit Eselon I tidak dikenal. Tulis nama unit secara lengkap tanpa singkatan, mis. \"Sekretariat Jenderal\" (bukan \"Setjen\"); daftar unit ada di GET /api/v1/services.",
            "Unknown Eselon I unit. Write the unit's full name without abbreviations, e.g. \"Sekretariat Jenderal\" (not \"Setjen\"); the list is at GET /api/v1/services.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> UnitCatalogue {
        UnitCatalogue::new([
            UnitEntry {
                name: "Sekretariat Jenderal".into(),
                aliases: vec![],
            },
            UnitEntry {
                name: "Dirjen Pengelolaan dan Pembiayaan Risiko".into(),
                aliases: vec!["Direktorat Jenderal Pengelolaan Pembiayaan dan Risiko".into()],
            },
        ])
    }

    #[test]
    fn forgives_case_and_spacing() {
        let unit = catalogue().resolve("  sekretariat   JENDERAL ").unwrap();
        assert_eq!(unit.as_str(), "Sekretariat Jenderal");
    }

    #[test]
    fn aliases_resolve_to_the_stored_form() {
        let unit = catalogue()
            .resolve("Direktorat Jenderal Pengelolaan Pembiayaan dan Risiko")
            .unwrap();
        assert_eq!(unit.as_str(), "Dirjen Pengelolaan dan Pembiayaan Risiko");
    }

    #[test]
    fn never_accepts_abbreviations() {
        assert_eq!(catalogue().resolve("Setjen"), Err(UnitUnknown));
        assert_eq!(catalogue().resolve("DJPPR"), Err(UnitUnknown));
    }
}
