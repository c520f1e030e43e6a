//! The desk's two directories of people: the responsible officers who vouch for their
//! unit's requests, and the RA staff who work the queues. They differ in what an entry
//! holds, not in how it is kept: an entry is written as [`DirectoryEntry::Fields`] (a
//! supervisor's form, a CSV row, a stored row), checked by the rules a ticket's field of
//! the same name follows, and read back against the rules in force. An entry that passed
//! when it was saved and no longer does (its mail domain taken off the allow-list, a
//! rule grown stricter since) is [`Listed::Outdated`]: shown as it is stored, with what it
//! breaks, for a supervisor to fix; never dropped, never passed off as valid.

use crate::identity::{Nip, OfficialEmail, Unit};
use crate::intake::IntakeRules;
use crate::problem::{Message, Problem, ProblemCode};

/// The longest name a directory entry may have.
pub const MAX_PERSON_NAME_CHARS: usize = 100;

/// One kind of directory entry: an officer, a staff member.
pub trait DirectoryEntry: Sized {
    /// What is written for an entry, as text still to be checked (`active` excepted).
    type Fields: EntryFields;

    /// The entry for the person with `nip`, if `fields` pass the rules; else every
    /// problem, each naming its field.
    fn check(nip: &str, fields: Self::Fields, rules: IntakeRules<'_>)
    -> Result<Self, Vec<Problem>>;

    fn nip(&self) -> &Nip;

    /// The entry written out again, in the forms the rules keep (the unit's catalogue
    /// name, the address in lower case, …).
    fn fields(&self) -> Self::Fields;
}

/// What every entry's fields say besides their own: whether the person still serves.
pub trait EntryFields: Clone {
    fn active(&self) -> bool;
    fn set_active(&mut self, active: bool);
}

/// A stored entry, read against the rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed<E: DirectoryEntry> {
    Current(E),
    /// It no longer passes the rules: as stored, with the problems.
    Outdated {
        nip: String,
        fields: E::Fields,
        problems: Vec<Problem>,
    },
}

impl<E: DirectoryEntry> Listed<E> {
    /// A stored row, read against `rules`.
    pub fn read(nip: String, fields: E::Fields, rules: IntakeRules<'_>) -> Self {
        match E::check(&nip, fields.clone(), rules) {
            Ok(entry) => Self::Current(entry),
            Err(problems) => Self::Outdated {
                nip,
                fields,
                problems,
            },
        }
    }

    pub fn nip(&self) -> &str {
        match self {
            Self::Current(entry) => entry.nip().as_str(),
            Self::Outdated { nip, .. } => nip,
        }
    }

    /// The fields as they now read: the checked forms of a current entry, the stored
    /// text of an outdated one.
    pub fn fields(&self) -> E::Fields {
        match self {
            Self::Current(entry) => entry.fields(),
            Self::Outdated { fields, .. } => fields.clone(),
        }
    }

    pub fn is_active(&self) -> bool {
        match self {
            Self::Current(entry) => entry.fields().active(),
            Self::Outdated { fields, .. } => fields.active(),
        }
    }

    /// What the entry breaks today; empty for a current one.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Current(_) => &[],
            Self::Outdated { problems, .. } => problems,
        }
    }

    pub fn current(self) -> Option<E> {
        match self {
            Self::Current(entry) => Some(entry),
            Self::Outdated { .. } => None,
        }
    }
}

/// A directory entry's NIP, unit and official email, each checked by the rule a
/// ticket's field of the same name follows.
pub(crate) fn checked_person(
    nip: &str,
    unit: &str,
    email: &str,
    rules: IntakeRules<'_>,
    problems: &mut Vec<Problem>,
) -> Option<(Nip, Unit, OfficialEmail)> {
    let nip = Nip::parse(nip)
        .map_err(|e| problems.push(Problem::at("nip", &e)))
        .ok();
    let unit = rules
        .units
        .resolve(unit)
        .map_err(|e| problems.push(Problem::at("unit", &e)))
        .ok();
    let email = OfficialEmail::parse(email, rules.email_domains)
        .map_err(|e| problems.push(Problem::at("email", &e)))
        .ok();
    Some((nip?, unit?, email?))
}

/// A directory entry's name, spaces tidied; a problem if empty or too long.
pub(crate) fn checked_name(raw: &str, problems: &mut Vec<Problem>) -> String {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.push(Problem::required("name"));
    } else if name.chars().count() > MAX_PERSON_NAME_CHARS {
        problems.push(Problem::new(
            "name",
            ProblemCode::TextTooLong,
            Message::new(
                format!("Nama paling banyak {MAX_PERSON_NAME_CHARS} karakter."),
                format!("The name may have at most {MAX_PERSON_NAME_CHARS} characters."),
            ),
        ));
    }
    name
}
