//! The people around a ticket: the roles credentials grant, the facts of a ticket the
//! rules look at, the capacity someone acts in, and whom a change concerns.

use chrono::{DateTime, Utc};

use crate::identity::Nip;
use crate::vocabulary::serde_as_code;

use super::{ActionKind, Status, WhoMay};

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

    pub(super) fn is_requester_of(&self, ticket: &TicketFacts) -> bool {
        self.nip == ticket.requester_nip
    }

    pub(super) fn is_officer_of(&self, ticket: &TicketFacts) -> bool {
        self.has(Role::Officer) && self.nip == ticket.officer_nip
    }

    pub(super) fn is_assignee_of(&self, ticket: &TicketFacts) -> bool {
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
    /// The desk itself, applying its own rules (retention).
    Desk,
}

impl Capacity {
    pub const ALL: [Capacity; 7] = [
        Self::Requester,
        Self::Officer,
        Self::Agent,
        Self::Supervisor,
        Self::Integrator,
        Self::Viewer,
        Self::Desk,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::Officer => "officer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Integrator => "integrator",
            Self::Viewer => "viewer",
            Self::Desk => "desk",
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
    /// Whoever wrote to the desk by email, answered at the address they wrote from
    /// (which the event carries): a requester, an agent or a stranger.
    Sender,
}

impl Recipient {
    pub const ALL: [Recipient; 4] = [
        Self::Requester,
        Self::ResponsibleOfficer,
        Self::Assignee,
        Self::Sender,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::ResponsibleOfficer => "responsible_officer",
            Self::Assignee => "assignee",
            Self::Sender => "sender",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The NIP of this recipient on `ticket`; `None` for an assignee the ticket lacks,
    /// and for a sender (known by their address only).
    pub fn nip_on(self, ticket: &TicketFacts) -> Option<&Nip> {
        match self {
            Self::Requester => Some(&ticket.requester_nip),
            Self::ResponsibleOfficer => Some(&ticket.officer_nip),
            Self::Assignee => ticket.assignee_nip.as_ref(),
            Self::Sender => None,
        }
    }
}

serde_as_code!(Recipient, "recipient");
