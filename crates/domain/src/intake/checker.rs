//! The tools every step of the check shares: a collector of problems that keeps going
//! after the first, and the requester's values as written.

use crate::identity::{CertificateName, Nik, Nip, OfficialEmail, Position, Unit};
use crate::problem::{Message, Problem, ProblemCode, Rule};
use crate::service::ChangeableField;

/// Collects problems while parsing field after field.
#[derive(Default)]
pub(super) struct Checker {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Checker {
    /// The trimmed value, or a `required` problem when it is absent or blank.
    pub(super) fn required<'d>(
        &mut self,
        field: &str,
        value: &'d Option<String>,
    ) -> Option<&'d str> {
        let value = present(value);
        if value.is_none() {
            self.problems.push(Problem::required(field));
        }
        value
    }

    pub(super) fn parse<T, E: Rule>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|rule| self.problems.push(Problem::at(field, &rule)))
            .ok()
    }

    pub(super) fn refuse(&mut self, field: &str, code: ProblemCode, message: Message) {
        self.problems.push(Problem::new(field, code, message));
    }
}

pub(super) fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(super) fn choices(codes: impl IntoIterator<Item = &'static str>) -> String {
    codes
        .into_iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The requester's values as written, for telling a real change from a repeat.
pub(super) struct Current<'a> {
    pub nip: Option<&'a Nip>,
    pub nik: Option<&'a Nik>,
    pub name: Option<&'a CertificateName>,
    pub email: Option<&'a OfficialEmail>,
    pub unit: Option<&'a Unit>,
    pub position: Option<&'a Position>,
}

impl Current<'_> {
    pub(super) fn value_of(&self, field: ChangeableField) -> Option<&str> {
        match field {
            ChangeableField::Name => self.name.map(CertificateName::as_str),
            ChangeableField::Email => self.email.map(OfficialEmail::as_str),
            ChangeableField::Nip => self.nip.map(Nip::as_str),
            ChangeableField::Nik => self.nik.map(Nik::expose),
            ChangeableField::Unit => self.unit.map(Unit::as_str),
            ChangeableField::Position => self.position.map(Position::as_str),
            ChangeableField::Organisation | ChangeableField::City | ChangeableField::Province => {
                None
            }
        }
    }
}
