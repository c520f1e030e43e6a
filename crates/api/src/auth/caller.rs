//! The caller of a request, as handlers see it: a person with their roles, or an
//! integrator's token with its scopes.

use certdesk_domain::Nip;
use certdesk_domain::lifecycle::{Actor, Capacity, Role};
use certdesk_store::HistoryActor;

use crate::error::ApiError;

/// What an integrator's token may do.
pub mod scope {
    /// File tickets on behalf of any requester.
    pub const TICKETS_WRITE: &str = "tickets:write";
    /// Read any ticket, its attachments and history.
    pub const TICKETS_READ: &str = "tickets:read";
    pub const ALL: [&str; 2] = [TICKETS_WRITE, TICKETS_READ];
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A person, by NIP, with the roles their token grants.
    Person(Actor),
    /// An integrator's API token.
    Integrator { name: String, scopes: Vec<String> },
}

impl Caller {
    /// How history records this caller acting as a person in `capacity`; an integrator
    /// is always recorded as one.
    pub fn history_actor(&self, capacity: Capacity) -> HistoryActor {
        match self {
            Self::Person(actor) => HistoryActor {
                id: actor.nip.as_str().to_owned(),
                capacity,
            },
            Self::Integrator { name, .. } => HistoryActor {
                id: format!("token:{name}"),
                capacity: Capacity::Integrator,
            },
        }
    }

    pub fn person(&self) -> Option<&Actor> {
        match self {
            Self::Person(actor) => Some(actor),
            Self::Integrator { .. } => None,
        }
    }

    pub fn has_scope(&self, wanted: &str) -> bool {
        matches!(self, Self::Integrator { scopes, .. } if scopes.iter().any(|s| s == wanted))
    }

    /// RA staff: agents and supervisors.
    pub fn is_staff(&self) -> bool {
        self.person().is_some_and(Actor::is_agent)
    }

    pub fn is_supervisor(&self) -> bool {
        self.person().is_some_and(|a| a.has(Role::Supervisor))
    }

    /// RA staff only (queues and their pages).
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.is_staff() {
            return Ok(());
        }
        Err(ApiError::StaffOnly)
    }

    /// Supervisors only (routing rules, the officers' directory).
    pub fn require_supervisor(&self) -> Result<(), ApiError> {
        if self.is_supervisor() {
            return Ok(());
        }
        Err(ApiError::SupervisorsOnly)
    }

    /// Who owns what this caller creates, such as idempotency keys: the NIP of a person,
    /// `token:<name>` for an integrator.
    pub fn principal(&self) -> String {
        match self {
            Self::Person(actor) => actor.nip.as_str().to_owned(),
            Self::Integrator { name, .. } => format!("token:{name}"),
        }
    }

    /// The NIP of a person; `None` for integrators.
    pub fn nip(&self) -> Option<&Nip> {
        self.person().map(|a| &a.nip)
    }

    /// The person behind the call; an integration token is refused with `refusal`.
    pub fn person_or(&self, refusal: impl FnOnce() -> ApiError) -> Result<&Actor, ApiError> {
        self.person().ok_or_else(refusal)
    }
}
