//! The ticket's life: its states, the actions people take on it, who may take them, and
//! the one table that says which action moves a ticket from which state to which.
//!
//! - `status.rs`: the states.
//! - `action.rs`: the actions and [`target`], the table: an exhaustive `match` with no
//!   catch-all arm, so a new state or action cannot compile until every rule has been
//!   looked at again.
//! - `roles.rs`: roles, the facts of a ticket, the capacity people act in, recipients.
//! - `authority.rs`: what the agent finds at the certificate authority, and the link the
//!   authority sends the requester.
//! - `deadlines.rs`: the desk's clocks (an expired link, an endorsement left waiting, a
//!   reopen window that ended) and what each leads to.
//! - `access.rs`: who may see what, and who may comment.
//! - `offer.rs`: the actions a person may take on a ticket as it stands, and what each
//!   asks for (what a page offers).
//! - `history.rs`: the words of a ticket's history.
//! - `decide.rs`: [`decide`], the guards around the table (who may act, reasons, the
//!   reopen window), and the event that tells the people concerned.
//! - `rules.rs`: the lifecycle's rules operators own (`[lifecycle]`, `[timers]`), with
//!   their defaults, read from configuration and checked as they are read.

mod access;
mod action;
mod authority;
mod deadlines;
mod decide;
mod history;
mod offer;
mod roles;
mod rules;
mod status;

#[cfg(test)]
mod tests;

pub use access::{
    CommentDecision, comment, may_replace_attachment, may_see, nik_view_is_audited, sees_internal,
    sees_nik_unmasked,
};
pub use action::{Action, ActionKind, WhoMay, target};
pub use authority::{
    AuthorityFinding, AuthorityLink, AuthorityReport, MAX_AUTHORITY_NOTE_CHARS, ProfileState,
    RequesterStep, link_expired,
};
pub use deadlines::{
    DeadlineRules, REOPEN_WINDOW_ENDED, closed_by_the_desk, endorsement_reminder,
    link_expired_notice,
};
pub use decide::{Refusal, Transition, decide, filing_notices};
pub use history::{HistoryKind, Visibility};
pub use offer::{Finding, offered};
pub use roles::{Actor, Capacity, Recipient, Role, TicketFacts};
pub use rules::{LifecycleRules, MAX_LINK_VALIDITY_HOURS, ReminderRules};
pub use status::Status;
