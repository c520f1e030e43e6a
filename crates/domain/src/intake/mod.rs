//! Intake: a ticket as the employee wrote it, checked into either a valid submission or
//! the complete list of what is wrong with it, so that a form is fixed once.
//!
//! The flow has three steps because two facts come from outside: the files (inspected by
//! [`AttachmentPolicy`](crate::attachment::AttachmentPolicy) as they arrive) and the
//! responsible officer (looked up in the directory by the NIP found here).
//! [`assess`] checks the written fields, [`Assessment::record_file`] adds each file, and
//! [`Assessment::conclude`] adds the officer and decides.
//!
//! - `draft.rs`: the wire form, as the client wrote it.
//! - `assess.rs`: the written fields, checked.
//! - `request.rs`: the service's own fields (sub-type, reason, changes), checked.
//! - `conclusion.rs`: files and the officer added, and the decision.

mod assess;
mod checker;
mod conclusion;
mod draft;
mod request;

use std::collections::{BTreeMap, BTreeSet};

use crate::attachment::{AttachmentKind, InspectedFile};
use crate::identity::{
    CertificateName, EmailDomains, Nik, Nip, OfficialEmail, Position, Unit, UnitCatalogue,
};
use crate::problem::Problem;
use crate::service::{CertificateStatus, Service, ServiceRequest};
use crate::text::FreeText;

pub use assess::assess;
pub use draft::{ChangeDraft, RequesterDraft, TicketDraft};

/// What intake checks against besides the rules themselves: data that operators own.
#[derive(Debug, Clone, Copy)]
pub struct IntakeRules<'a> {
    pub units: &'a UnitCatalogue,
    pub email_domains: &'a EmailDomains,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub nip: Nip,
    pub nik: Option<Nik>,
    pub name: CertificateName,
    pub email: OfficialEmail,
    pub unit: Unit,
    pub position: Position,
}

/// A ticket that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub request: ServiceRequest,
    pub requester: Requester,
    pub responsible_officer: Nip,
    pub description: FreeText,
    pub certificate_status: Option<CertificateStatus>,
}

#[derive(Debug, Clone)]
pub struct Accepted {
    pub submission: Submission,
    pub files: BTreeMap<AttachmentKind, InspectedFile>,
    /// Things the requester should know; they do not stop the ticket.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone)]
pub struct Rejected {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// The state of a check in progress.
#[derive(Debug)]
pub struct Assessment {
    submission: Option<Submission>,
    officer_nip: Option<Nip>,
    requester_nip: Option<Nip>,
    requester_unit: Option<Unit>,
    service: Option<Service>,
    files: BTreeMap<AttachmentKind, InspectedFile>,
    parts_seen: BTreeSet<AttachmentKind>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

#[cfg(test)]
mod tests;
