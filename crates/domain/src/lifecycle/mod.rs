//! The ticket's life: its states, the actions people take on it, who may take them, and
//! the one table that says which action moves a ticket from which state to which.
//!
//! - `status.rs`: the states.
//! - `action.rs`: the actions and [`target`], the table: an exhaustive `match` with no
//!   catch-all arm, so a new state or action cannot compile until every rule has been
//!   looked at again.
//! - `access.rs`: roles, who may see what, the capacity people act in, comments.
//! - `decide.rs`: [`decide`], the guards around the table (who may act, reasons, the
//!   reopen window), and the event that tells the people concerned.

mod access;
mod action;
mod decide;
mod status;

#[cfg(test)]
mod tests;

pub use access::{
    Actor, Capacity, CommentDecision, HistoryKind, Recipient, Role, TicketFacts, Visibility,
    comment, may_replace_attachment, may_see, sees_internal, sees_nik_unmasked,
};
pub use action::{Action, ActionKind, WhoMay, target};
pub use decide::{LifecycleRules, Refusal, Transition, decide, filing_notices};
pub use status::Status;
