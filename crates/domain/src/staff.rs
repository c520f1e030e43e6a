//! RA staff: the agents who work the queues and the supervisors who assign work. The
//! staff directory says who they are, where to write to them and in which language, and
//! whether they still work the desk; a ticket is assigned only to someone active in it.

use crate::Language;
use crate::identity::{EmailDomains, Nip, OfficialEmail, Unit, UnitCatalogue};
use crate::officer::{checked_active, checked_name, checked_person};
use crate::problem::{Message, Problem, ProblemCode};
use crate::vocabulary::serde_as_code;

/// What a staff member does at the desk. Supervisors work tickets too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    Agent,
    Supervisor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 2] = [Self::Agent, Self::Supervisor];

    pub fn code(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code.trim()))
    }
}

serde_as_code!(StaffRole, "staff role");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub nip: Nip,
    pub name: String,
    pub email: OfficialEmail,
    pub unit: Unit,
    /// The language of their emails.
    pub language: Language,
    pub role: StaffRole,
    pub active: bool,
}

/// One row of the staff directory as written in an import file or stored.
#[derive(Debug, Clone, Default)]
pub struct StaffRow {
    pub nip: String,
    pub name: String,
    pub email: String,
    pub unit: String,
    /// `id` or `en`; empty means Indonesian.
    pub language: String,
    pub role: String,
    pub active: String,
}

impl StaffMember {
    /// Checks a directory row with the same rules as a ticket's fields.
    pub fn from_row(
        row: &StaffRow,
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
        let language = if row.language.trim().is_empty() {
            Some(Language::Indonesian)
        } else {
            Language::from_tag(&row.language)
        };
        if language.is_none() {
            problems.push(Problem::new(
                "language",
                ProblemCode::Required,
                Message::new(
                    "Bahasa email harus `id` atau `en`.",
                    "The email language must be `id` or `en`.",
                ),
            ));
        }
        let role = StaffRole::from_code(&row.role);
        if role.is_none() {
            problems.push(Problem::new(
                "role",
                ProblemCode::Required,
                Message::new(
                    "Peran harus `agent` atau `supervisor`.",
                    "The role must be `agent` or `supervisor`.",
                ),
            ));
        }
        match (nip, unit, email, active, language, role) {
            (Some(nip), Some(unit), Some(email), Some(active), Some(language), Some(role))
                if problems.is_empty() =>
            {
                Ok(Self {
                    nip,
                    name,
                    email,
                    unit,
                    language,
                    role,
                    active,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Whether the directory lets a ticket be assigned to this NIP: only someone active in
/// the staff directory works tickets. The problem names `assignee_nip`.
pub fn may_be_assigned(entry: Option<&StaffRow>) -> Result<(), Problem> {
    match entry {
        None => Err(Problem::new(
            "assignee_nip",
            ProblemCode::AssigneeUnknown,
            Message::new(
                "NIP ini tidak ada di direktori petugas RA; minta supervisor menambahkannya.",
                "This NIP is not in the RA staff directory; ask a supervisor to add it.",
            ),
        )),
        Some(row) if !matches!(checked_active(&row.active, &mut Vec::new()), Some(true)) => {
            Err(Problem::new(
                "assignee_nip",
                ProblemCode::AssigneeInactive,
                Message::new(
                    "Petugas ini tidak aktif lagi di direktori petugas RA.",
                    "This agent is no longer active in the RA staff directory.",
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::UnitEntry;

    fn units() -> UnitCatalogue {
        UnitCatalogue::new(vec![UnitEntry {
            name: "Sekretariat Jenderal".into(),
            aliases: vec!["Setjen".into()],
        }])
    }

    fn row() -> StaffRow {
        StaffRow {
            nip: "198501012010011001".into(),
            name: "Petugas  RA Contoh".into(),
            email: "petugas.ra@kemenkeu.go.id".into(),
            unit: "setjen".into(),
            language: "en".into(),
            role: "Agent".into(),
            active: "ya".into(),
        }
    }

    #[test]
    fn a_row_is_checked_like_a_tickets_fields() {
        let domains = EmailDomains::default();
        let member = StaffMember::from_row(&row(), &units(), &domains).unwrap();
        assert_eq!(member.name, "Petugas RA Contoh");
        assert_eq!(member.unit.as_str(), "Sekretariat Jenderal");
        assert_eq!(member.language, Language::English);
        assert_eq!(member.role, StaffRole::Agent);
        let bad = StaffRow {
            email: "petugas-ra@kemenkeu.go.id".into(),
            language: "de".into(),
            role: "boss".into(),
            ..row()
        };
        let fields: Vec<String> = StaffMember::from_row(&bad, &units(), &domains)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["email", "language", "role"]);
    }

    #[test]
    fn only_active_staff_are_assigned() {
        assert_eq!(may_be_assigned(Some(&row())), Ok(()));
        let gone = StaffRow {
            active: "false".into(),
            ..row()
        };
        assert_eq!(
            may_be_assigned(Some(&gone)).unwrap_err().code,
            ProblemCode::AssigneeInactive
        );
        assert_eq!(
            may_be_assigned(None).unwrap_err().code,
            ProblemCode::AssigneeUnknown
        );
    }
}
