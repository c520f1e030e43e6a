//! The ticket's life: its states, the actions people take on it, and the one table that
//! says which action, by whom, moves a ticket from which state to which.
//!
//! [`target`] is the table: an exhaustive `match` with no catch-all arm, so a new state or
//! action cannot compile until every rule has been looked at again. [`decide`] adds the
//! guards (who may act, reasons, the reopen window) and says whom to tell.

use chrono::{DateTime, Duration, Utc};

use crate::problem::{Message, ProblemCode};
use crate::service::CertificateStatus;
use crate::text::{FreeText, MAX_DESCRIPTION_CHARS, TextError};

#[cfg(test)]
mod tests;

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
    /// Done; may be reopened within the reopen window.
    Resolved,
    Closed,
    Rejected,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Self::Submitted,
        Self::AwaitingEndorsement,
        Self::InReview,
        Self::AwaitingRequester,
        Self::WaitingOnAuthority,
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
            | Self::Resolved => false,
        }
    }

    /// Whether the ticket still occupies its requester's slot for its service: a
    /// requester has at most one open ticket per service and sub-type.
    pub fn is_open(self) -> bool {
        !self.is_terminal() && self != Self::Resolved
    }

    /// The state a new ticket starts in.
    pub fn initial(needs_endorsement: bool) -> Self {
        if needs_endorsement {
            Self::AwaitingEndorsement
        } else {
            Self::Submitted
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Endorse,
    Decline,
    Claim,
    Assign,
    RequestInformation,
    Reply,
    WaitOnAuthority,
    ResumeReview,
    Resolve,
    Reject,
    Cancel,
    Reopen,
    Close,
}

impl ActionKind {
    pub const ALL: [ActionKind; 13] = [
        Self::Endorse,
        Self::Decline,
        Self::Claim,
        Self::Assign,
        Self::RequestInformation,
        Self::Reply,
        Self::WaitOnAuthority,
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
    pub fn capacity(self) -> Capacity {
        match self {
            Self::Endorse | Self::Decline => Capacity::ResponsibleOfficer,
            Self::Claim => Capacity::AnyAgent,
            Self::Assign => Capacity::Supervisor,
            Self::RequestInformation
            | Self::WaitOnAuthority
            | Self::ResumeReview
            | Self::Resolve
            | Self::Reject => Capacity::AssignedAgent,
            Self::Reply | Self::Cancel => Capacity::Requester,
            Self::Reopen | Self::Close => Capacity::RequesterOrAssignedAgent,
        }
    }

    /// The name of the event this action writes for the worker (one email template each).
    pub fn event(self) -> &'static str {
        match self {
            Self::Endorse => "endorsed",
            Self::Decline => "declined",
            Self::Claim => "claimed",
            Self::Assign => "assigned",
            Self::RequestInformation => "information_requested",
            Self::Reply => "requester_replied",
            Self::WaitOnAuthority => "waiting_on_authority",
            Self::ResumeReview => "review_resumed",
            Self::Resolve => "resolved",
            Self::Reject => "rejected",
            Self::Cancel => "cancelled",
            Self::Reopen => "reopened",
            Self::Close => "closed",
        }
    }

    /// Actions whose reason must be written down.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Self::Decline | Self::Reject | Self::RequestInformation | Self::Reopen
        )
    }
}

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
            S::AwaitingEndorsement | S::Resolved | S::Closed | S::Rejected | S::Cancelled => None,
        },
        A::RequestInformation => match status {
            S::InReview => Some(S::AwaitingRequester),
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::WaitingOnAuthority
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Reply => match status {
            S::AwaitingRequester => Some(S::InReview),
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
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::ResumeReview => match status {
            S::WaitingOnAuthority => Some(S::InReview),
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
            S::InReview | S::WaitingOnAuthority => Some(S::Resolved),
            S::Submitted
            | S::AwaitingEndorsement
            | S::AwaitingRequester
            | S::Resolved
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
        A::Reject => match status {
            S::InReview | S::AwaitingRequester | S::WaitingOnAuthority => Some(S::Rejected),
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
            S::WaitingOnAuthority | S::Resolved | S::Closed | S::Rejected | S::Cancelled => None,
        },
        A::Reopen => match status {
            S::Resolved => Some(S::InReview),
            S::Submitted
            | S::AwaitingEndorsement
            | S::InReview
            | S::AwaitingRequester
            | S::WaitingOnAuthority
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
            | S::Closed
            | S::Rejected
            | S::Cancelled => None,
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    Requester,
    ResponsibleOfficer,
    AnyAgent,
    AssignedAgent,
    Supervisor,
    RequesterOrAssignedAgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Requester,
    Officer,
    Agent,
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Self::Requester,
        Self::Officer,
        Self::Agent,
        Self::Supervisor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::Officer => "officer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

/// Someone acting on a ticket: their NIP and the roles their credentials grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub nip: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Supervisors can do whatever agents can.
    pub fn is_agent(&self) -> bool {
        self.has(Role::Agent) || self.has(Role::Supervisor)
    }
}

/// Whether a person may see a ticket at all: its requester, its responsible officer, and
/// RA staff. Anyone else is told it does not exist.
pub fn may_see(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.nip == ticket.requester_nip
        || (actor.has(Role::Officer) && actor.nip == ticket.officer_nip)
        || actor.is_agent()
}

/// Internal comments and download records are for RA staff only.
pub fn sees_internal(actor: &Actor) -> bool {
    actor.is_agent()
}

/// Only the owner of a NIK sees its digits.
pub fn sees_nik_unmasked(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.nip == ticket.requester_nip
}

/// A requester replaces an attachment only while the agent waits for them.
pub fn may_replace_attachment(actor: &Actor, ticket: &TicketFacts) -> Result<(), Refusal> {
    if actor.nip != ticket.requester_nip {
        return Err(Refusal::NotPermitted {
            action: ActionKind::Reply,
            capacity: Capacity::Requester,
        });
    }
    match ticket.status {
        Status::AwaitingRequester => Ok(()),
        status @ (Status::Submitted
        | Status::AwaitingEndorsement
        | Status::InReview
        | Status::WaitingOnAuthority
        | Status::Resolved
        | Status::Closed
        | Status::Rejected
        | Status::Cancelled) => Err(Refusal::NotAllowedInState {
            status,
            action: ActionKind::Reply,
        }),
    }
}

/// What the rules need to know of a ticket.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub status: Status,
    pub requester_nip: String,
    pub officer_nip: String,
    pub assignee_nip: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// An action with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub kind: ActionKind,
    /// Why (required for decline, reject, request for information, reopen).
    pub reason: Option<String>,
    /// The agent to assign (assign only).
    pub assignee_nip: Option<String>,
    /// The status found at the certificate authority (wait on authority only).
    pub certificate_status: Option<CertificateStatus>,
}

impl Action {
    pub fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            reason: None,
            assignee_nip: None,
            certificate_status: None,
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }
}

/// Who is told about a transition (the worker turns these into emails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Requester,
    ResponsibleOfficer,
    Assignee,
}

impl Recipient {
    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::ResponsibleOfficer => "responsible_officer",
            Self::Assignee => "assignee",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Requester, Self::ResponsibleOfficer, Self::Assignee]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Events written at intake.
pub const TICKET_RECEIVED: &str = "ticket_received";
pub const ENDORSEMENT_NEEDED: &str = "endorsement_needed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub action: ActionKind,
    pub assignee_nip: Option<String>,
    pub reason: Option<FreeText>,
    pub certificate_status: Option<CertificateStatus>,
    pub notify: Vec<Recipient>,
}

/// Why an action was refused. Each maps to one HTTP status in the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The table does not allow this action in this state (409).
    NotAllowedInState { status: Status, action: ActionKind },
    /// The actor does not act in the needed capacity on this ticket (403).
    NotPermitted {
        action: ActionKind,
        capacity: Capacity,
    },
    /// Someone else claimed the ticket first (409). The table cannot see this (it is a
    /// race between two claims of the same version); the store's conditional update
    /// does, and the API reports it with this refusal.
    AlreadyClaimed,
    /// A field the action needs is missing or breaks a rule (422).
    Invalid {
        field: &'static str,
        code: ProblemCode,
        message: Message,
    },
    /// Reopening after the window closed (409).
    ReopenWindowPassed,
    /// An agent would work on a ticket they filed themself (403).
    OwnTicket,
}

/// Applies the table and its guards.
pub fn decide(
    ticket: &TicketFacts,
    actor: &Actor,
    action: &Action,
    now: DateTime<Utc>,
    reopen_window: Duration,
) -> Result<Transition, Refusal> {
    let kind = action.kind;
    let is_requester = actor.nip == ticket.requester_nip;
    let is_officer = actor.nip == ticket.officer_nip && actor.has(Role::Officer);
    let is_assignee =
        actor.is_agent() && ticket.assignee_nip.as_deref() == Some(actor.nip.as_str());
    let capacity = kind.capacity();
    let permitted = match capacity {
        Capacity::Requester => is_requester,
        Capacity::ResponsibleOfficer => is_officer,
        Capacity::AnyAgent => actor.is_agent(),
        Capacity::AssignedAgent => is_assignee,
        Capacity::Supervisor => actor.has(Role::Supervisor),
        Capacity::RequesterOrAssignedAgent => is_requester || is_assignee,
    };
    // Who may act comes first: someone without the right learns nothing of the state.
    if !permitted {
        return Err(Refusal::NotPermitted {
            action: kind,
            capacity,
        });
    }
    // Nobody handles their own request: an agent who filed a ticket cannot claim it, and
    // a supervisor cannot hand it to them.
    let would_handle_own = match kind {
        ActionKind::Claim => actor.nip == ticket.requester_nip,
        ActionKind::Assign => action.assignee_nip.as_deref() == Some(ticket.requester_nip.as_str()),
        _ => false,
    };
    if would_handle_own {
        return Err(Refusal::OwnTicket);
    }
    let to = target(ticket.status, kind).ok_or(Refusal::NotAllowedInState {
        status: ticket.status,
        action: kind,
    })?;

    let reason = match action
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(text) => {
            Some(FreeText::parse(text, MAX_DESCRIPTION_CHARS).map_err(|e| invalid_reason(&e))?)
        }
        None if kind.needs_reason() => {
            return Err(Refusal::Invalid {
                field: "reason",
                code: ProblemCode::Required,
                message: Message::new(
                    format!("Tindakan `{}` memerlukan alasan (`reason`).", kind.code()),
                    format!("The action `{}` needs a `reason`.", kind.code()),
                ),
            });
        }
        None => None,
    };
    // A resolved ticket without a resolution time cannot prove it is inside the window.
    if kind == ActionKind::Reopen
        && ticket
            .resolved_at
            .is_none_or(|resolved| now - resolved > reopen_window)
    {
        return Err(Refusal::ReopenWindowPassed);
    }
    let assignee_nip = match kind {
        ActionKind::Claim => Some(actor.nip.clone()),
        ActionKind::Assign => Some(
            action
                .assignee_nip
                .clone()
                .filter(|n| !n.trim().is_empty())
                .ok_or(Refusal::Invalid {
                    field: "assignee_nip",
                    code: ProblemCode::Required,
                    message: Message::new(
                        "Sebutkan NIP petugas yang ditugaskan (`assignee_nip`).",
                        "Name the agent to assign (`assignee_nip`).",
                    ),
                })?,
        ),
        _ => ticket.assignee_nip.clone(),
    };
    let certificate_status = match kind {
        ActionKind::WaitOnAuthority => Some(action.certificate_status.ok_or(Refusal::Invalid {
            field: "certificate_status",
            code: ProblemCode::Required,
            message: Message::new(
                "Catat status sertifikat yang ditemukan di penerbit (`certificate_status`).",
                "Record the certificate status found at the authority (`certificate_status`).",
            ),
        })?),
        _ => None,
    };
    Ok(Transition {
        from: ticket.status,
        to,
        action: kind,
        assignee_nip,
        reason,
        certificate_status,
        notify: notify(kind, ticket.status, to),
    })
}

fn invalid_reason(error: &TextError) -> Refusal {
    use crate::problem::Rule;
    Refusal::Invalid {
        field: "reason",
        code: error.code(),
        message: error.message(),
    }
}

/// Whom a transition concerns. The requester hears of every change of their ticket's
/// state; the officer of what needs or followed their endorsement; an assigned agent of
/// being given work.
fn notify(action: ActionKind, from: Status, to: Status) -> Vec<Recipient> {
    match action {
        // Assigning a waiting ticket also puts it into review: the requester hears of it.
        ActionKind::Assign if from != to => vec![Recipient::Assignee, Recipient::Requester],
        ActionKind::Assign => vec![Recipient::Assignee],
        ActionKind::Endorse | ActionKind::Decline => vec![Recipient::Requester],
        // The officer vouched for it; they hear that it was withdrawn.
        ActionKind::Cancel => vec![Recipient::Requester, Recipient::ResponsibleOfficer],
        ActionKind::Reply => vec![Recipient::Assignee],
        ActionKind::Claim
        | ActionKind::RequestInformation
        | ActionKind::WaitOnAuthority
        | ActionKind::ResumeReview
        | ActionKind::Resolve
        | ActionKind::Reject
        | ActionKind::Reopen
        | ActionKind::Close => vec![Recipient::Requester],
    }
}
