//! Who is who on a ticket: the roles credentials grant, what each person may see, the
//! capacity they act in, and whom a change concerns.

use chrono::{DateTime, Utc};

use crate::event::{Event, Notice};
use crate::identity::Nip;
use crate::problem::{Problem, Rule};
use crate::text::{FreeText, MAX_DESCRIPTION_CHARS};
use crate::vocabulary::serde_as_code;

use super::{ActionKind, Refusal, Status, WhoMay};

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
    pub nip: Nip,
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

    fn is_requester_of(&self, ticket: &TicketFacts) -> bool {
        self.nip == ticket.requester_nip
    }

    fn is_officer_of(&self, ticket: &TicketFacts) -> bool {
        self.has(Role::Officer) && self.nip == ticket.officer_nip
    }

    fn is_assignee_of(&self, ticket: &TicketFacts) -> bool {
        self.is_agent() && ticket.assignee_nip.as_ref() == Some(&self.nip)
    }

    /// Whether this person is among those who may take `who_may`'s actions on `ticket`.
    pub(super) fn is(&self, who_may: WhoMay, ticket: &TicketFacts) -> bool {
        match who_may {
            WhoMay::Requester => self.is_requester_of(ticket),
            WhoMay::ResponsibleOfficer => self.is_officer_of(ticket),
            WhoMay::AnyAgent => self.is_agent(),
            WhoMay::AssignedAgent => self.is_assignee_of(ticket),
            WhoMay::Supervisor => self.has(Role::Supervisor),
            WhoMay::RequesterOrAssignedAgent => {
                self.is_requester_of(ticket) || self.is_assignee_of(ticket)
            }
        }
    }
}

/// What the rules need to know of a ticket.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub status: Status,
    pub requester_nip: Nip,
    pub officer_nip: Nip,
    pub assignee_nip: Option<Nip>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The capacity in which someone did something, as a ticket's history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capacity {
    Requester,
    Officer,
    Agent,
    Supervisor,
    /// A system filing or reading through an API token.
    Integrator,
    /// Someone other than RA staff who looked at an attachment.
    Viewer,
}

impl Capacity {
    pub const ALL: [Capacity; 6] = [
        Self::Requester,
        Self::Officer,
        Self::Agent,
        Self::Supervisor,
        Self::Integrator,
        Self::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::Officer => "officer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Integrator => "integrator",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The capacity of someone taking `action`: who the action is for, and for the
    /// actions both the requester and the agent may take, which of the two this is.
    pub fn acting(action: ActionKind, actor: &Actor, ticket: &TicketFacts) -> Self {
        match action.who_may() {
            WhoMay::Requester => Self::Requester,
            WhoMay::ResponsibleOfficer => Self::Officer,
            WhoMay::AnyAgent | WhoMay::AssignedAgent => Self::Agent,
            WhoMay::Supervisor => Self::Supervisor,
            WhoMay::RequesterOrAssignedAgent if actor.is_requester_of(ticket) => Self::Requester,
            WhoMay::RequesterOrAssignedAgent => Self::Agent,
        }
    }

    /// The capacity of someone downloading an attachment: who looked at an ID-card scan
    /// is part of the record, and staff are told apart from everyone else.
    pub fn viewing(actor: &Actor) -> Self {
        if actor.is_agent() {
            Self::Agent
        } else {
            Self::Viewer
        }
    }
}

serde_as_code!(Capacity, "capacity");

/// Who is told about something that happened to a ticket (the worker turns these into
/// emails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Requester,
    ResponsibleOfficer,
    Assignee,
}

impl Recipient {
    pub const ALL: [Recipient; 3] = [Self::Requester, Self::ResponsibleOfficer, Self::Assignee];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::ResponsibleOfficer => "responsible_officer",
            Self::Assignee => "assignee",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The NIP of this recipient on `ticket`; `None` for an assignee the ticket lacks.
    pub fn nip_on(self, ticket: &TicketFacts) -> Option<&Nip> {
        match self {
            Self::Requester => Some(&ticket.requester_nip),
            Self::ResponsibleOfficer => Some(&ticket.officer_nip),
            Self::Assignee => ticket.assignee_nip.as_ref(),
        }
    }
}

serde_as_code!(Recipient, "recipient");

/// Whether a person may see a ticket at all: its requester, its responsible officer, and
/// RA staff. Anyone else is told it does not exist.
pub fn may_see(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.is_requester_of(ticket) || actor.is_officer_of(ticket) || actor.is_agent()
}

/// Internal comments and download records are for RA staff only.
pub fn sees_internal(actor: &Actor) -> bool {
    actor.is_agent()
}

/// Only the owner of a NIK sees its digits.
pub fn sees_nik_unmasked(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.is_requester_of(ticket)
}

/// A requester replaces an attachment only while the agent waits for them.
pub fn may_replace_attachment(actor: &Actor, ticket: &TicketFacts) -> Result<(), Refusal> {
    if !actor.is_requester_of(ticket) {
        return Err(Refusal::NotPermitted {
            action: ActionKind::Reply,
            who_may: WhoMay::Requester,
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

/// A comment someone may write, and whom it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentDecision {
    pub text: FreeText,
    /// The capacity the author writes in, as the history records it.
    pub capacity: Capacity,
    pub visibility: Visibility,
    /// Who is told of it. Nobody hears of internal comments; the requester hears of what
    /// the desk writes; the agent working the ticket hears of what others write.
    pub notices: Vec<Notice>,
}

/// Who may comment on a ticket they can see, in which capacity, what the text may be,
/// and who hears of it. Internal comments are RA staff's notes to each other.
pub fn comment(
    actor: &Actor,
    ticket: &TicketFacts,
    body: &str,
    internal: bool,
) -> Result<CommentDecision, Refusal> {
    if internal && !actor.is_agent() {
        return Err(Refusal::CommentNotPermitted);
    }
    let text = comment_text(body)?;
    if internal {
        return Ok(CommentDecision {
            text,
            capacity: Capacity::Agent,
            visibility: Visibility::Internal,
            notices: Vec::new(),
        });
    }
    let assignee = ticket
        .assignee_nip
        .as_ref()
        .filter(|nip| **nip != actor.nip)
        .map(|_| Recipient::Assignee);
    let (capacity, notify) = if actor.is_requester_of(ticket) {
        (Capacity::Requester, assignee.into_iter().collect())
    } else if actor.is_agent() {
        (Capacity::Agent, vec![Recipient::Requester])
    } else if actor.is_officer_of(ticket) {
        let mut notify = vec![Recipient::Requester];
        notify.extend(assignee);
        (Capacity::Officer, notify)
    } else {
        return Err(Refusal::CommentNotPermitted);
    };
    let event = Event::CommentAdded {
        comment: text.as_str().to_owned(),
        author: capacity,
    };
    let notices = notify
        .into_iter()
        .map(|recipient: Recipient| Notice::to(recipient, ticket, event.clone()))
        .collect();
    Ok(CommentDecision {
        text,
        capacity,
        visibility: Visibility::Public,
        notices,
    })
}

/// A comment's text: present, bounded, and never a secret.
fn comment_text(body: &str) -> Result<FreeText, Refusal> {
    if body.trim().is_empty() {
        let problem = Problem::required("body");
        return Err(Refusal::Invalid {
            field: "body",
            code: problem.code,
            message: problem.message,
        });
    }
    FreeText::parse(body, MAX_DESCRIPTION_CHARS).map_err(|e| Refusal::Invalid {
        field: "body",
        code: e.code(),
        message: e.message(),
    })
}

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
}

impl HistoryKind {
    pub const ALL: [HistoryKind; 5] = [
        Self::Created,
        Self::Transition,
        Self::Comment,
        Self::Download,
        Self::AttachmentReplaced,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Transition => "transition",
            Self::Comment => "comment",
            Self::Download => "download",
            Self::AttachmentReplaced => "attachment_replaced",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

serde_as_code!(HistoryKind, "history entry kind");
