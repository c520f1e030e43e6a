//! What people do to a ticket, and the one table that says where each action leads.

use crate::identity::Nip;
use crate::vocabulary::serde_as_code;

use super::Status;
use super::authority::{AuthorityReport, RequesterStep};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Endorse,
    Decline,
    Claim,
    Assign,
    RequestInformation,
    Reply,
    WaitOnAuthority,
    RecordAuthorityStatus,
    SendAuthorityLink,
    ResumeReview,
    Resolve,
    Reject,
    Cancel,
    Reopen,
    Close,
}

impl ActionKind {
    pub const ALL: [ActionKind; 15] = [
        Self::Endorse,
        Self::Decline,
        Self::Claim,
        Self::Assign,
        Self::RequestInformation,
        Self::Reply,
        Self::WaitOnAuthority,
        Self::RecordAuthorityStatus,
        Self::SendAuthorityLink,
        Self::ResumeReview,
        Self::Resolve,
        Self::Reject,
        Self::Cancel,
        Self::Reopen,
        Self::Close,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Endorse => "endorse",
            Self::Decline => "decline",
            Self::Claim => "claim",
            Self::Assign => "assign",
            Self::RequestInformation => "request_information",
            Self::Reply => "reply",
            Self::WaitOnAuthority => "wait_on_authority",
            Self::RecordAuthorityStatus => "record_authority_status",
            Self::SendAuthorityLink => "send_authority_link",
            Self::ResumeReview => "resume_review",
            Self::Resolve => "resolve",
            Self::Reject => "reject",
            Self::Cancel => "cancel",
            Self::Reopen => "reopen",
            Self::Close => "close",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Who may take this action on a ticket.
    pub fn who_may(self) -> WhoMay {
        match self {
            Self::Endorse | Self::Decline => WhoMay::ResponsibleOfficer,
            Self::Claim => WhoMay::AnyAgent,
            Self::Assign => WhoMay::Supervisor,
            Self::RequestInformation
            | Self::WaitOnAuthority
            | Self::RecordAuthorityStatus
            | Self::SendAuthorityLink
            | Self::ResumeReview
            | Self::Resolve
            | Self::Reject => WhoMay::AssignedAgent,
            Self::Reply | Self::Cancel => WhoMay::Requester,
            Self::Reopen | Self::Close => WhoMay::RequesterOrAssignedAgent,
        }
    }
}

/// Who may take an action, relative to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoMay {
    Requester,
    ResponsibleOfficer,
    AnyAgent,
    AssignedAgent,
    Supervisor,
    RequesterOrAssignedAgent,
}

/// An action with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub kind: ActionKind,
    /// Why (required for decline, reject, request for information, reopen).
    pub reason: Option<String>,
    /// The agent to assign (assign only).
    pub assignee_nip: Option<Nip>,
    /// What the agent found at the certificate authority: required for
    /// `wait_on_authority` and `record_authority_status`, optional for `resolve` and
    /// `send_authority_link`, refused with any other action.
    pub authority: AuthorityReport,
    /// What the requester must do through the authority's link (`send_authority_link`).
    pub step: Option<RequesterStep>,
}

impl Action {
    pub fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            reason: None,
            assignee_nip: None,
            authority: AuthorityReport::default(),
            step: None,
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }
}

serde_as_code!(ActionKind, "action");

/// The table: where an action leads from a state, or `None` where it is not allowed.
pub fn target(status: Status, action: ActionKind) -> Option<Status> {
    use ActionKind as A;
    use Status as S;
    match action {
        A::Endorse => match status {
            S::AwaitingEndorsement => Some(S::Submitted),
            S::Submitted
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Decline => match status {
            S::AwaitingEndorsement => Some(S::Rejected),
            S::Submitted
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Claim => match status {
            S::Submitted => Some(S::InReview),
            S::AwaitingEndorsement
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        // Assigning hands the work to an agent: a waiting ticket goes into review, one
        // already in progress keeps its state.
        A::Assign => match status {
            S::Submitted => Some(S::InReview),
            S::InReview => Some(S::InReview),
            S::AwaitingRequester => Some(S::AwaitingRequester),
            S::WaitingOnAuthority => Some(S::WaitingOnAuthority),
            S::AwaitingRequesterAtAuthority => Some(S::AwaitingRequesterAtAuthority),
            S::AwaitingEndorsement | S::Resolved | S::Closed | S::Rejected | S::Cancelled => None,
        },
        A::RequestInformation => match status {
            S::InReview => Some(S::AwaitingRequester),
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        // The requester answers the agent's question, or says they have done what the
        // authority's link asked.
        A::Reply => match status {
            S::AwaitingRequester | S::AwaitingRequesterAtAuthority => Some(S::InReview),
            S::Submitted
            | S::AwaitingEndorsement
            | S::InReview
            | S::WaitingOnAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::WaitOnAuthority => match status {
            S::InReview => Some(S::WaitingOnAuthority),
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        // What the agent finds at the authority changes nothing on the desk, except that
        // progress the requester made there ends the wait for them.
        A::RecordAuthorityStatus => match status {
            S::InReview => Some(S::InReview),
            S::AwaitingRequester => Some(S::AwaitingRequester),
            S::WaitingOnAuthority => Some(S::WaitingOnAuthority),
            S::AwaitingRequesterAtAuthority => Some(S::InReview),
            S::Submitted
            | S::AwaitingEndorsement
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        // A link that expired unused is sent again from the waiting state itself.
        A::SendAuthorityLink => match status {
            S::InReview | S::WaitingOnAuthority | S::AwaitingRequesterAtAuthority => {
                Some(S::AwaitingRequesterAtAuthority)
            }
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::ResumeReview => match status {
            S::WaitingOnAuthority | S::AwaitingRequesterAtAuthority => Some(S::InReview),
            S::Submitted
            | S::AwaitingEndorsement
            | S::InReview
            | S::AwaitingRequester
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Resolve => match status {
            S::InReview | S::WaitingOnAuthority | S::AwaitingRequesterAtAuthority => {
                Some(S::Resolved)
            }
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Reject => match status {
            S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority => Some(S::Rejected),
            S::Submitted
            | S::AwaitingEndorsement
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        // A requester may withdraw until the agent has acted at the certificate
        // authority: from then on the agent finishes (resolves or rejects) the ticket.
        A::Cancel => match status {
            S::Submitted | S::AwaitingEndorsement | S::InReview | S::AwaitingRequester => {
                Some(S::Cancelled)
            }
            S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Reopen => match status {
            S::Resolved => Some(S::InReview),
            S::Submitted
            | S::AwaitingEndorsement
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Close => match status {
            S::Resolved => Some(S::Closed),
            S::Submitted
            | S::AwaitingEndorsement
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::AwaitingRequesterAtAuthority
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
    }
}
