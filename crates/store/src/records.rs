//! Plain records that cross the store's boundary: what goes in to create a ticket, and
//! what comes back when one is read.

use bytes::Bytes;
use certdesk_domain::{AttachmentKind, FileType, InspectedFile, Nik, Submission, TicketNumber};
use chrono::{DateTime, Utc};

use crate::blobs::ContentAddress;

pub struct NewTicket<'a> {
    pub submission: &'a Submission,
    pub attachments: Vec<NewAttachment>,
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
    pub service: String,
    pub subtype: Option<String>,
    pub reason: Option<String>,
    pub reason_detail: Option<String>,
    pub status: String,
    pub requester_nip: String,
    /// Masked by `Debug`/`Display`; see [`Nik::expose`].
    pub requester_nik: Option<Nik>,
    pub requester_name: String,
    pub requester_email: String,
    pub requester_unit: String,
    pub requester_position: String,
    pub responsible_officer_nip: String,
    pub description: String,
    pub changes: Vec<ChangeRecord>,
    pub certificate_status: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentRecord>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ChangeRecord {
    pub field: String,
    pub new_value: String,
}

#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub kind: AttachmentKind,
    pub file_type: FileType,
    pub byte_size: u64,
    pub pixels: Option<(u32, u32)>,
    pub sha256: ContentAddress,
    pub created_at: DateTime<Utc>,
}
