//! Responsible officers (penanggung jawab): the heads of UPK/UPSDM who vouch for the
//! requests of their unit's employees. The directory is data imported from a CSV file.

use crate::identity::{EmailDomains, Nip, OfficialEmail, Unit, UnitCatalogue};
use crate::problem::{Message, Problem, ProblemCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub nip: Nip,
    pub name: String,
    pub unit: Unit,
    pub email: OfficialEmail,
    pub active: bool,
}

/// What the directory says about the NIP a ticket names as responsible officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficerLookup {
    NotFound,
    Found(Officer),
    /// There is an entry, but it no longer passes the rules (its unit was renamed away,
    /// its mail domain left the allow-list): the directory needs updating, not the
    /// ticket.
    Outdated,
}

impl OfficerLookup {
    pub fn from_row(
        row: Option<&OfficerRow>,
        units: &UnitCatalogue,
        domains: &EmailDomains,
    ) -> Self {
        match row {
            None => Self::NotFound,
            Some(row) => Officer::from_row(row, units, domains).map_or(Self::Outdated, Self::Found),
        }
    }
}

/// One row of the directory as written in an import file.
#[derive(Debug, Clone, Default)]
pub struct OfficerRow {
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub email: String,
    pub active: String,
}

pub const MAX_OFFICER_NAME_CHARS: usize = 100;

impl Officer {
    /// Checks a directory row with the same rules as a ticket's fields.
    pub fn from_row(
        row: &OfficerRow,
        units: &UnitCatalogue,
        domains: &EmailDomains,
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let (nip, unit, email) = checked_person(
            &row.nip,
            &row.unit,
            &row.email,
            units,
            domains,
            &mut problems,
        );
        let name = checked_name(&row.name, &mut problems);
        let active = checked_active(&row.active, &mut problems);
        match (nip, unit, email, active) {
            (Some(nip), Some(unit), Some(email), Some(active)) if problems.is_empty() => Ok(Self {
                nip,
                name,
                unit,
                email,
                active,
            }),
            _ => Err(problems),
        }
    }
}

/// A directory entry's NIP, unit and official email, each checked by the rule a
/// ticket's field of the same name follows.
pub(crate) fn checked_person(
    nip: &str,
    unit: &str,
    email: &str,
    units: &UnitCatalogue,
    domains: &EmailDomains,
    problems: &mut Vec<Problem>,
) -> (Option<Nip>, Option<Unit>, Option<OfficialEmail>) {
    let nip = Nip::parse(nip)
        .map_err(|e| problems.push(Problem::at("nip", &e)))
        .ok();
    let unit = units
        .resolve(unit)
        .map_err(|e| problems.push(Problem::at("unit", &e)))
        .ok();
    let email = OfficialEmail::parse(email, domains)
        .map_err(|e| problems.push(Problem::at("email", &e)))
        .ok();
    (nip, unit, email)
}

/// A directory entry's name, spaces tidied; a problem if empty or too long.
pub(crate) fn checked_name(raw: &str, problems: &mut Vec<Problem>) -> String {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.push(Problem::required("name"));
    } else if name.chars().count() > MAX_OFFICER_NAME_CHARS {
        problems.push(Problem::new(
            "name",
            ProblemCode::TextTooLong,
            Message::new(
                format!("Nama paling banyak {MAX_OFFICER_NAME_CHARS} karakter."),
                format!("The name may have at most {MAX_OFFICER_NAME_CHARS} characters."),
            ),
        ));
    }
    name
}

/// A directory entry's `active` column, as people write yes and no in a spreadsheet;
/// empty means active.
pub(crate) fn checked_active(raw: &str, problems: &mut Vec<Problem>) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "ya" | "1" | "aktif" | "active" => Some(true),
        "false" | "no" | "tidak" | "0" | "nonaktif" | "inactive" => Some(false),
        _ => {
            problems.push(Problem::new(
                "active",
                ProblemCode::Required,
                Message::new(
                    "Kolom `active` harus true atau false.",
                    "The `active` column must be true or false.",
                ),
            ));
            None
        }
    }
}
