//! Who may see what of a ticket, and who may comment on it.

use crate::event::{Event, Notice};
use crate::problem::{Problem, Rule};
use crate::text::{FreeText, MAX_DESCRIPTION_CHARS};

use super::{
    ActionKind, Actor, Capacity, Recipient, Refusal, Status, TicketFacts, Visibility, WhoMay,
};

/// Whether a person may see a ticket at all: its requester, its responsible officer, and
/// RA staff. Anyone else is told it does not exist.
pub fn may_see(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.is_requester_of(ticket) || actor.is_officer_of(ticket) || actor.is_agent()
}

/// Internal comments and download records are for RA staff only.
pub fn sees_internal(actor: &Actor) -> bool {
    actor.is_agent()
}

/// Who sees a NIK's digits: its owner, and RA staff, who compare it with the ID-card
/// scan and with the certificate authority's records. Every time staff see one, the
/// audit records it (`audit::LookKind::NikShown`). Officers see it masked.
pub fn sees_nik_unmasked(actor: &Actor, ticket: &TicketFacts) -> bool {
    actor.is_requester_of(ticket) || actor.is_agent()
}

/// Whether showing `actor` this ticket's NIK is a look the audit records: it is shown in
/// full, and not to its owner.
pub fn nik_view_is_audited(actor: &Actor, ticket: &TicketFacts) -> bool {
    sees_nik_unmasked(actor, ticket) && !actor.is_requester_of(ticket)
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
        | Status::AwaitingRequesterAtAuthority
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
    // RA staff write as the desk, even on a ticket of their own.
    let (capacity, notify) = if actor.is_agent() {
        (Capacity::Agent, vec![Recipient::Requester])
    } else if actor.is_requester_of(ticket) {
        (Capacity::Requester, assignee.into_iter().collect())
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
