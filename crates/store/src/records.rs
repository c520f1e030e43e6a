//! Plain records that cross the store's boundary: what goes in to create a ticket, and
//! what comes back when one is read.

use bytes::Bytes;
use certdesk_domain::lifecycle::{
    AuthorityLink, Capacity, HistoryKind, ProfileState, Status, TicketFacts, Visibility,
};
use certdesk_domain::routing::QueueName;
use certdesk_domain::service::ChangeableField;
use certdesk_domain::text::SearchText;
use certdesk_domain::{
    AttachmentKind, CertificateStatus, ChangeKind, FileType, InspectedFile, Language, Nik, Nip,
    Problem, RevocationReason, Service, Submission, TicketNumber, Unit,
};
use chrono::{DateTime, Utc};

use crate::blobs::ContentAddress;

/// A ticket just stored: its number and when it was filed.
pub struct CreatedTicket {
    pub number: TicketNumber,
    pub created_at: chrono::DateTime<Utc>,
}

pub struct NewTicket<'a> {
    pub submission: &'a Submission,
    pub attachments: Vec<NewAttachment>,
    pub queue: &'a QueueName,
    pub status: Status,
    /// Who filed it (the requester, or an integrator's token).
    pub filed_by: &'a HistoryActor,
    /// The requester's language for emails, when they asked for one.
    pub language: Option<Language>,
    /// What intake warned about, kept for the agent.
    pub warnings: &'a [Problem],
    /// Remember the response under an idempotency key, in the same transaction.
    pub idempotency: Option<Idempotency<'a>>,
    /// What the ticket's clocks are measured with.
    pub service_levels: &'a certdesk_domain::service_level::ServiceLevels,
}

/// Filing under an `Idempotency-Key`: the key row is written in the ticket's own
/// transaction, so a ticket and the memory of its response exist together or not at all.
pub struct Idempotency<'a> {
    /// Whose key it is: a NIP, or `token:<id>` for an integrator.
    pub principal: &'a str,
    pub key: &'a str,
    /// What the request was, as the caller's retry must repeat it.
    pub fingerprint: &'a str,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The response body to remember, given the ticket just created.
    pub respond: Box<dyn FnOnce(&CreatedTicket) -> String + Send + 'a>,
}

/// A response remembered under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedResponse {
    pub fingerprint: String,
    pub ticket_number: String,
    pub body: String,
}

/// Who did something, as history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryActor {
    /// A NIP, or `token:<name>` for an API token.
    pub id: String,
    /// The capacity they acted in.
    pub capacity: Capacity,
}

/// One entry of a ticket's history.
#[derive(Debug, Clone)]
pub struct HistoryRecord {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub capacity: Capacity,
    pub kind: HistoryKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    pub visibility: Visibility,
    /// What else the entry records (a comment's text, an assignee, an attachment's kind),
    /// shaped by its kind.
    pub detail: Option<serde_json::Value>,
}

/// A ticket as a list shows it.
#[derive(Debug, Clone)]
pub struct TicketSummary {
    pub number: TicketNumber,
    pub service: Service,
    pub subtype: Option<ChangeKind>,
    pub status: Status,
    pub queue: QueueName,
    pub requester_nip: Nip,
    pub requester_unit: String,
    pub responsible_officer_nip: Nip,
    pub assignee_nip: Option<Nip>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the agent last found at the certificate authority.
    pub authority_status: Option<CertificateStatus>,
    /// When the authority's link to the requester stops working, while the desk waits.
    pub link_expires_at: Option<DateTime<Utc>>,
    /// When the officer was last reminded of the endorsement: set only once it waited
    /// longer than the desk allows (`timers.endorsement_reminder_hours`).
    pub endorsement_reminded_at: Option<DateTime<Utc>>,
    /// What its service-level clocks come to, as its row keeps it.
    pub clocks: certdesk_domain::service_level::ClocksSummary,
    /// Where a list sorted by due places it.
    pub(crate) sort_at: DateTime<Utc>,
}

/// Which tickets a list shows. Every field narrows; `None` (or an empty list) leaves it
/// open.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub queue: Option<QueueName>,
    pub statuses: Vec<Status>,
    pub service: Option<Service>,
    pub subtype: Option<ChangeKind>,
    pub unit: Option<Unit>,
    pub requester_nip: Option<Nip>,
    pub officer_nip: Option<Nip>,
    pub assignee_nip: Option<Nip>,
    /// The agent's latest finding at the certificate authority.
    pub authority_status: Option<CertificateStatus>,
    pub created_before: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    /// Text that must appear in the description (any case).
    pub text: Option<SearchText>,
    /// Only tickets at risk, or breached, at an instant.
    pub sla: Option<SlaFilter>,
    /// In what order the list comes.
    pub order: TicketOrder,
}

/// Tickets by how their service-level clocks stand at `at` (as `ClocksSummary::standing`
/// reads a ticket's row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// At risk and not breached.
    AtRisk { at: DateTime<Utc> },
    /// A clock went past its target, or a running one is past due.
    Breached { at: DateTime<Utc> },
}

/// The order of a list of tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TicketOrder {
    /// Oldest first.
    #[default]
    Age,
    /// What falls due first comes first; tickets none of whose clocks runs come last, in
    /// the order they were filed.
    Due,
}

/// Where a page starts: after the ticket with this key and number, in the list's order
/// (`at` is its creation time in a list by age, its place in a list by due).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    pub order: TicketOrder,
    pub at: DateTime<Utc>,
    pub number: TicketNumber,
}

impl PageCursor {
    /// An opaque token for the `cursor` parameter.
    pub fn encode(&self) -> String {
        let order = match self.order {
            TicketOrder::Age => "",
            TicketOrder::Due => "due:",
        };
        hex::encode(format!(
            "{order}{}:{}",
            self.at.timestamp_micros(),
            self.number.sequence()
        ))
    }

    /// A token of `encode`; `None` for anything else.
    pub fn decode(token: &str) -> Option<Self> {
        let text = String::from_utf8(hex::decode(token).ok()?).ok()?;
        let (order, text) = match text.strip_prefix("due:") {
            Some(rest) => (TicketOrder::Due, rest),
            None => (TicketOrder::Age, text.as_str()),
        };
        let (micros, id) = text.split_once(':')?;
        Some(Self {
            order,
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            number: TicketNumber::from_sequence(id.parse().ok()?).ok()?,
        })
    }
}

pub struct NewAttachment {
    pub kind: AttachmentKind,
    pub inspected: InspectedFile,
    pub address: ContentAddress,
    pub content: Bytes,
    // The client's file name is not kept: names like "KTP_<NIK>.jpg" would carry
    // personal data into places that show it to others. Downloads are named by ticket
    // number and kind instead.
}

#[derive(Debug, Clone)]
pub struct TicketRecord {
    pub number: TicketNumber,
    pub service: Service,
    pub subtype: Option<ChangeKind>,
    pub reason: Option<RevocationReason>,
    pub reason_detail: Option<String>,
    pub status: Status,
    pub requester_nip: Nip,
    /// Masked by `Debug`/`Display`; see [`Nik::expose`].
    pub requester_nik: Option<Nik>,
    /// The NIK masked: kept when the NIK itself is erased.
    pub requester_nik_masked: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub requester_unit: String,
    pub requester_position: String,
    pub responsible_officer_nip: Nip,
    pub description: String,
    pub changes: Vec<ChangeRecord>,
    /// The status the requester saw at the authority when filing.
    pub certificate_status: Option<CertificateStatus>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentRecord>,
    pub queue: QueueName,
    pub assignee_nip: Option<Nip>,
    /// Bumped by every change: the ticket's ETag.
    pub version: i32,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The language the requester asked to be written to in, if any.
    pub language: Option<Language>,
    /// What the agent last found at the certificate authority.
    pub authority: Option<AuthorityRecord>,
    /// The authority's latest link to the requester, while the desk waits on it.
    pub link: Option<AuthorityLink>,
    /// What intake warned the requester about when the ticket was filed.
    pub intake_warnings: Vec<Problem>,
    /// Its service-level clocks.
    pub clocks: certdesk_domain::service_level::TicketClocks,
}

/// The agent's latest finding at the certificate authority, as the ticket keeps it.
#[derive(Debug, Clone)]
pub struct AuthorityRecord {
    pub certificate_status: CertificateStatus,
    pub profile: Option<ProfileState>,
    pub valid_until: Option<chrono::NaiveDate>,
    pub enrolment_locked: Option<bool>,
    pub note: Option<String>,
    pub recorded_by: Nip,
    pub recorded_at: DateTime<Utc>,
}

impl TicketRecord {
    /// What the lifecycle's rules need to know of this ticket.
    pub fn facts(&self) -> TicketFacts {
        TicketFacts {
            status: self.status,
            requester_nip: self.requester_nip.clone(),
            officer_nip: self.responsible_officer_nip.clone(),
            assignee_nip: self.assignee_nip.clone(),
            resolved_at: self.resolved_at,
        }
    }
}

/// One requested change of a 15.2 data change, as stored.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub field: ChangeableField,
    pub new_value: String,
}

#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub kind: AttachmentKind,
    pub file_type: FileType,
    pub byte_size: u64,
    pub pixels: Option<(u32, u32)>,
    /// The content's digest; none once the file is purged.
    pub sha256: Option<ContentAddress>,
    pub created_at: DateTime<Utc>,
    /// When the retention rules deleted the file; its description stays.
    pub purged_at: Option<DateTime<Utc>>,
}
