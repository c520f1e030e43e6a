//! The states a ticket passes through.

use crate::problem::Message;
use crate::vocabulary::serde_as_code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Filed and routed; waiting in its queue for an RA agent.
    Submitted,
    /// Waiting for the responsible officer to vouch for it.
    AwaitingEndorsement,
    /// An RA agent is working on it.
    InReview,
    /// The agent asked the requester for a fix or a document.
    AwaitingRequester,
    /// The agent acted at the certificate authority and waits for it.
    WaitingOnAuthority,
    /// The authority sent the requester a link: they must complete their profile or set
    /// their passphrase there before the agent can go on.
    AwaitingRequesterAtAuthority,
    /// Done; may be reopened within the reopen window.
    Resolved,
    Closed,
    Rejected,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Self::Submitted,
        Self::AwaitingEndorsement,
        Self::InReview,
        Self::AwaitingRequester,
        Self::WaitingOnAuthority,
        Self::AwaitingRequesterAtAuthority,
        Self::Resolved,
        Self::Closed,
        Self::Rejected,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::AwaitingEndorsement => "awaiting_endorsement",
            Self::InReview => "in_review",
            Self::AwaitingRequester => "awaiting_requester",
            Self::WaitingOnAuthority => "waiting_on_authority",
            Self::AwaitingRequesterAtAuthority => "awaiting_requester_at_authority",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The state as a requester reads it, in both languages.
    pub fn title(self) -> Message {
        let (id, en) = match self {
            Self::Submitted => (
                "Diterima, menunggu antrean",
                "Received, waiting in the queue",
            ),
            Self::AwaitingEndorsement => (
                "Menunggu persetujuan pejabat penanggung jawab",
                "Waiting for the responsible officer's endorsement",
            ),
            Self::InReview => (
                "Sedang diproses petugas RA",
                "Being processed by an RA agent",
            ),
            Self::AwaitingRequester => (
                "Menunggu kelengkapan dari pemohon",
                "Waiting for the requester to supply what is missing",
            ),
            Self::WaitingOnAuthority => (
                "Menunggu proses di Otoritas Sertifikat",
                "Waiting on the certificate authority",
            ),
            Self::AwaitingRequesterAtAuthority => (
                "Menunggu pemohon menyelesaikan langkahnya di Otoritas Sertifikat",
                "Waiting for the requester to act at the certificate authority",
            ),
            Self::Resolved => ("Selesai", "Resolved"),
            Self::Closed => ("Ditutup", "Closed"),
            Self::Rejected => ("Ditolak", "Rejected"),
            Self::Cancelled => ("Dibatalkan", "Cancelled"),
        };
        Message::new(id, en)
    }

    /// No action leaves a terminal state.
    pub fn is_terminal(self) -> bool {
        match self {
            Self::Closed | Self::Rejected | Self::Cancelled => true,
            Self::Submitted
            | Self::AwaitingEndorsement
            | Self::InReview
            | Self::AwaitingRequester
            | Self::WaitingOnAuthority
            | Self::AwaitingRequesterAtAuthority
            | Self::Resolved => false,
        }
    }

    /// Whether the ticket still occupies its requester's slot for its service: a
    /// requester has at most one open ticket per service and sub-type.
    pub fn is_open(self) -> bool {
        !self.is_terminal() && self != Self::Resolved
    }
}

serde_as_code!(Status, "ticket status");
