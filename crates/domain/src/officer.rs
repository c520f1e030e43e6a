//! Responsible officers (penanggung jawab): the heads of UPK/UPSDM who vouch for the
//! requests of their unit's employees. One of the two directories (`directory.rs`).

use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryEntry, EntryFields, Listed, checked_name, checked_person};
use crate::identity::{Nip, OfficialEmail, Unit};
use crate::intake::IntakeRules;
use crate::problem::Problem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub nip: Nip,
    pub name: String,
    pub unit: Unit,
    pub email: OfficialEmail,
    pub active: bool,
}

/// An officer's entry as written: by a supervisor (`PUT /api/v1/officers/{nip}`), in a
/// CSV file, or as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfficerFields {
    #[cfg_attr(feature = "openapi", schema(example = "Sari Contoh"))]
    pub name: String,
    /// An Eselon I unit, as the catalogue names it or one of its other names.
    #[cfg_attr(feature = "openapi", schema(example = "Sekretariat Jenderal"))]
    pub unit: String,
    /// An official address: no `-`, a `go.id` domain on the desk's list.
    #[cfg_attr(feature = "openapi", schema(example = "sari.contoh@kemenkeu.go.id"))]
    pub email: String,
    /// Deactivate rather than delete: old tickets name them.
    pub active: bool,
}

impl EntryFields for OfficerFields {
    fn active(&self) -> bool {
        self.active
    }

    fn set_active(&mut self, active: bool) {
        self.active = active;
    }
}

impl DirectoryEntry for Officer {
    type Fields = OfficerFields;

    fn check(
        nip: &str,
        fields: OfficerFields,
        rules: IntakeRules<'_>,
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let person = checked_person(nip, &fields.unit, &fields.email, rules, &mut problems);
        let name = checked_name(&fields.name, &mut problems);
        match person {
            Some((nip, unit, email)) if problems.is_empty() => Ok(Self {
                nip,
                name,
                unit,
                email,
                active: fields.active,
            }),
            _ => Err(problems),
        }
    }

    fn nip(&self) -> &Nip {
        &self.nip
    }

    fn fields(&self) -> OfficerFields {
        OfficerFields {
            name: self.name.clone(),
            unit: self.unit.as_str().to_owned(),
            email: self.email.as_str().to_owned(),
            active: self.active,
        }
    }
}

/// What the directory says about the NIP a ticket names as responsible officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficerLookup {
    NotFound,
    Found(Officer),
    /// There is an entry, but it no longer passes the rules: the directory needs
    /// updating, not the ticket.
    Outdated,
}

impl From<Option<Listed<Officer>>> for OfficerLookup {
    fn from(entry: Option<Listed<Officer>>) -> Self {
        match entry {
            None => Self::NotFound,
            Some(Listed::Current(officer)) => Self::Found(officer),
            Some(Listed::Outdated { .. }) => Self::Outdated,
        }
    }
}
