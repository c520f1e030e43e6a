//! certdesk-domain: the rules of the ITSM 15 electronic-certificate services, as the
//! domain document (`docs/domain.md`) states them.
//!
//! Invariants of this crate:
//! - No I/O: no database, network, file system or clock. Callers hand in bytes and data
//!   (the unit list, the officer found for a NIP) and get decisions back.
//! - Values that carry a rule (NIP, NIK, official email, certificate name, position, unit,
//!   ticket number) can only be built by parsing, so holding one means the rule passed.
//! - A submission is checked into the complete list of its problems, each with a field
//!   path, a stable code and a message in Indonesian and English.
//! - A NIK never prints its digits through `Debug` or `Display`.

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod catalogue;
pub mod contact;
pub mod directory;
pub mod event;
pub mod identity;
pub mod inbound;
pub mod intake;
pub mod language;
pub mod lifecycle;
pub mod local_time;
pub mod officer;
#[cfg(feature = "openapi")]
mod openapi;
pub mod problem;
pub mod retention;
pub mod routing;
pub mod rules;
pub mod secret;
pub mod service;
pub mod service_level;
pub mod staff;
pub mod text;
pub mod ticket_number;
mod vocabulary;

pub use attachment::{Admitted, AttachmentKind, AttachmentPolicy, FileType, InspectedFile};
pub use contact::{Contact, OnFile};
pub use directory::{DirectoryEntry, EntryFields, Listed};
pub use event::{Event, EventKind, Notice};
pub use identity::{
    CertificateName, EmailDomains, Gender, Nik, Nip, OfficialEmail, Position, Unit, UnitCatalogue,
    UnitEntry, mask_nik, mask_nik_like,
};
pub use intake::{Accepted, Assessment, IntakeRules, Rejected, Submission, TicketDraft, assess};
pub use language::Language;
pub use officer::{Officer, OfficerFields, OfficerLookup};
pub use problem::{Message, Problem, ProblemCode};
pub use rules::DeskRules;
pub use service::{CertificateStatus, ChangeKind, RevocationReason, Service, ServiceRequest};
pub use ticket_number::TicketNumber;
