//! RA staff: the agents who work the queues and the supervisors who assign work. The
//! staff directory (one of the two, `directory.rs`) says who they are, where to write to
//! them and in which language, and whether they still work the desk; a ticket is
//! assigned only to someone active in it.

use serde::{Deserialize, Serialize};

use crate::Language;
use crate::directory::{DirectoryEntry, EntryFields, Listed, checked_name, checked_person};
use crate::identity::{Nip, OfficialEmail, Unit};
use crate::intake::IntakeRules;
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

/// A staff member's entry as written: by a supervisor (`PUT /api/v1/staff/{nip}`), in a
/// CSV file, or as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffFields {
    #[cfg_attr(feature = "openapi", schema(example = "Rina Contoh"))]
    pub name: String,
    /// An official address: no `-`, a `go.id` domain on the desk's list.
    #[cfg_attr(feature = "openapi", schema(example = "rina.contoh@kemenkeu.go.id"))]
    pub email: String,
    /// An Eselon I unit, as the catalogue names it or one of its other names.
    #[cfg_attr(feature = "openapi", schema(example = "Sekretariat Jenderal"))]
    pub unit: String,
    /// The language of their emails: `id` (the default) or `en`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "id"))]
    pub language: Option<String>,
    /// `agent` or `supervisor`.
    #[cfg_attr(feature = "openapi", schema(example = "agent"))]
    pub role: String,
    /// Deactivate rather than delete: the history names them, and an inactive agent can
    /// no longer be assigned tickets.
    pub active: bool,
}

impl EntryFields for StaffFields {
    fn active(&self) -> bool {
        self.active
    }

    fn set_active(&mut self, active: bool) {
        self.active = active;
    }
}

impl DirectoryEntry for StaffMember {
    type Fields = StaffFields;

    fn check(nip: &str, fields: StaffFields, rules: IntakeRules<'_>) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let person = checked_person(nip, &fields.unit, &fields.email, rules, &mut problems);
        let name = checked_name(&fields.name, &mut problems);
        let language = match fields.language.as_deref().map(str::trim) {
            None | Some("") => Some(Language::Indonesian),
            Some(tag) => Language::from_tag(tag),
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
        let role = StaffRole::from_code(&fields.role);
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
        match (person, language, role) {
            (Some((nip, unit, email)), Some(language), Some(role)) if problems.is_empty() => {
                Ok(Self {
                    nip,
                    name,
                    email,
                    unit,
                    language,
                    role,
                    active: fields.active,
                })
            }
            _ => Err(problems),
        }
    }

    fn nip(&self) -> &Nip {
        &self.nip
    }

    fn fields(&self) -> StaffFields {
        StaffFields {
            name: self.name.clone(),
            email: self.email.as_str().to_owned(),
            unit: self.unit.as_str().to_owned(),
            language: Some(self.language.code().to_owned()),
            role: self.role.code().to_owned(),
            active: self.active,
        }
    }
}

/// Whether the directory lets a ticket be assigned to this NIP: only someone active in
/// the staff directory works tickets (an entry that no longer passes today's rules, its
/// mail domain taken off the list say, still serves while it is active). The problem names `assignee_nip`.
pub fn may_be_assigned(entry: Option<&Listed<StaffMember>>) -> Result<(), Problem> {
    match entry {
        None => Err(Problem::new(
            "assignee_nip",
            ProblemCode::AssigneeUnknown,
            Message::new(
                "NIP ini tidak ada di direktori petugas RA; minta supervisor menambahkannya.",
                "This NIP is not in the RA staff directory; ask a supervisor to add it.",
            ),
        )),
        Some(entry) if !entry.is_active() => Err(Problem::new(
            "assignee_nip",
            ProblemCode::AssigneeInactive,
            Message::new(
                "Petugas ini tidak aktif lagi di direktori petugas RA.",
                "This agent is no longer active in the RA staff directory.",
            ),
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{EmailDomains, UnitCatalogue, UnitEntry};

    const NIP: &str = "198501012010011001";

    fn units() -> UnitCatalogue {
        UnitCatalogue::new(vec![UnitEntry {
            name: "Sekretariat Jenderal".into(),
            aliases: vec!["Setjen".into()],
        }])
    }

    fn fields() -> StaffFields {
        StaffFields {
            name: "Petugas  RA Contoh".into(),
            email: "petugas.ra@kemenkeu.go.id".into(),
            unit: "setjen".into(),
            language: Some("en".into()),
            role: "Agent".into(),
            active: true,
        }
    }

    fn rules<'a>(units: &'a UnitCatalogue, domains: &'a EmailDomains) -> IntakeRules<'a> {
        IntakeRules {
            units,
            email_domains: domains,
        }
    }

    #[test]
    fn an_entry_is_checked_like_a_tickets_fields() {
        let (units, domains) = (units(), EmailDomains::default());
        let member = StaffMember::check(NIP, fields(), rules(&units, &domains)).unwrap();
        assert_eq!(member.name, "Petugas RA Contoh");
        assert_eq!(member.unit.as_str(), "Sekretariat Jenderal");
        assert_eq!(member.language, Language::English);
        assert_eq!(member.role, StaffRole::Agent);
        assert_eq!(member.fields().role, "agent", "written back in its code");
        let bad = StaffFields {
            email: "petugas-ra@kemenkeu.go.id".into(),
            language: Some("de".into()),
            role: "boss".into(),
            ..fields()
        };
        let fields: Vec<String> = StaffMember::check(NIP, bad, rules(&units, &domains))
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["email", "language", "role"]);
    }

    #[test]
    fn a_stored_entry_the_rules_outgrew_is_shown_with_its_problems() {
        let (units, domains) = (units(), EmailDomains::default());
        let moved = StaffFields {
            unit: "Biro Yang Sudah Dibubarkan".into(),
            ..fields()
        };
        let listed =
            Listed::<StaffMember>::read(NIP.into(), moved.clone(), rules(&units, &domains));
        assert_eq!(listed.nip(), NIP);
        assert_eq!(listed.fields(), moved, "as stored");
        assert_eq!(listed.problems()[0].code, ProblemCode::UnitUnknown);
        assert!(listed.is_active());
        assert_eq!(may_be_assigned(Some(&listed)), Ok(()), "it still serves");
    }

    #[test]
    fn only_active_staff_are_assigned() {
        let (units, domains) = (units(), EmailDomains::default());
        let read =
            |fields| Listed::<StaffMember>::read(NIP.into(), fields, rules(&units, &domains));
        assert_eq!(may_be_assigned(Some(&read(fields()))), Ok(()));
        let gone = StaffFields {
            active: false,
            ..fields()
        };
        assert_eq!(
            may_be_assigned(Some(&read(gone))).unwrap_err().code,
            ProblemCode::AssigneeInactive
        );
        assert_eq!(
            may_be_assigned(None).unwrap_err().code,
            ProblemCode::AssigneeUnknown
        );
    }
}
