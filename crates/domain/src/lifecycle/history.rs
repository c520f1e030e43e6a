//! The words of a ticket's history: what an entry records and who may read it.

use crate::vocabulary::serde_as_code;

/// Who may read a history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// The requester and everyone who may see the ticket.
    Public,
    /// RA staff only.
    Internal,
}

impl Visibility {
    pub const ALL: [Visibility; 2] = [Self::Public, Self::Internal];

    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }
}

serde_as_code!(Visibility, "visibility");

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    Created,
    Transition,
    Comment,
    Download,
    AttachmentReplaced,
    /// The retention rules deleted an attachment's file.
    AttachmentPurged,
    /// The retention rules erased the requester's NIK.
    NikErased,
    /// A supervisor anonymised the requester at their request.
    Anonymised,
    /// A service-level clock paused, resumed, stopped, or went at risk or past its
    /// target.
    ServiceLevel,
}

impl HistoryKind {
    pub const ALL: [HistoryKind; 9] = [
        Self::Created,
        Self::Transition,
        Self::Comment,
        Self::Download,
        Self::AttachmentReplaced,
        Self::AttachmentPurged,
        Self::NikErased,
        Self::Anonymised,
        Self::ServiceLevel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Transition => "transition",
            Self::Comment => "comment",
            Self::Download => "download",
            Self::AttachmentReplaced => "attachment_replaced",
            Self::AttachmentPurged => "attachment_purged",
            Self::NikErased => "nik_erased",
            Self::Anonymised => "anonymised",
            Self::ServiceLevel => "service_level",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

serde_as_code!(HistoryKind, "history entry kind");
