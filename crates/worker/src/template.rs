//! Which email speaks for which event, to whom: one exhaustive table.

use certdesk_domain::EventKind;
use certdesk_domain::lifecycle::Recipient;

/// An email the desk writes: one template file per language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    TicketReceived,
    EndorsementNeeded,
    Endorsed,
    Declined,
    /// Claimed, assigned or taken up again: for the requester, someone is on it.
    InReview,
    AssignedToYou,
    InformationRequested,
    RequesterReplied,
    WaitingOnAuthority,
    /// The authority sent the requester a link: what to do there, and by when.
    AuthorityLinkSent,
    /// To the assigned agent: the requester's link expired unused.
    LinkExpired,
    /// To the responsible officer: an endorsement has waited too long.
    EndorsementReminder,
    Resolved,
    Rejected,
    Cancelled,
    Reopened,
    Closed,
    /// The desk (or the officer) wrote a public comment on the requester's ticket.
    CommentAdded,
    /// Someone else commented on the ticket the agent is working.
    CommentToAgent,
    /// To whoever wrote to the desk by email: why their message was not taken (or not
    /// all of it), and what to do instead.
    AutoReply,
}

impl Template {
    pub const ALL: [Template; 20] = [
        Self::TicketReceived,
        Self::EndorsementNeeded,
        Self::Endorsed,
        Self::Declined,
        Self::InReview,
        Self::AssignedToYou,
        Self::InformationRequested,
        Self::RequesterReplied,
        Self::WaitingOnAuthority,
        Self::AuthorityLinkSent,
        Self::LinkExpired,
        Self::EndorsementReminder,
        Self::Resolved,
        Self::Rejected,
        Self::Cancelled,
        Self::Reopened,
        Self::Closed,
        Self::CommentAdded,
        Self::CommentToAgent,
        Self::AutoReply,
    ];

    /// The file's name under `templates/<language>/`, without `.j2`.
    pub fn name(self) -> &'static str {
        match self {
            Self::TicketReceived => "ticket_received",
            Self::EndorsementNeeded => "endorsement_needed",
            Self::Endorsed => "endorsed",
            Self::Declined => "declined",
            Self::InReview => "in_review",
            Self::AssignedToYou => "assigned_to_you",
            Self::InformationRequested => "information_requested",
            Self::RequesterReplied => "requester_replied",
            Self::WaitingOnAuthority => "waiting_on_authority",
            Self::AuthorityLinkSent => "authority_link_sent",
            Self::LinkExpired => "link_expired",
            Self::EndorsementReminder => "endorsement_reminder",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Reopened => "reopened",
            Self::Closed => "closed",
            Self::CommentAdded => "comment_added",
            Self::CommentToAgent => "comment_to_agent",
            Self::AutoReply => "auto_reply",
        }
    }
}

/// Which email tells `recipient` about an event of `kind`; `None` where the desk
/// deliberately writes nothing. Every pair is listed, with no catch-all: a new kind of
/// event does not compile until someone decides who hears of it.
pub fn template_for(kind: EventKind, recipient: Recipient) -> Option<Template> {
    use EventKind as E;
    use Recipient::{Assignee, Requester, ResponsibleOfficer, Sender};
    use Template as T;
    match (kind, recipient) {
        (E::TicketReceived, Requester) => Some(T::TicketReceived),
        // The officer hears of a new ticket only when it waits for them.
        (E::TicketReceived, ResponsibleOfficer | Assignee) => None,
        (E::EndorsementNeeded, ResponsibleOfficer) => Some(T::EndorsementNeeded),
        (E::EndorsementNeeded, Requester | Assignee) => None,
        (E::Endorsed, Requester) => Some(T::Endorsed),
        // The officer endorsed it themself.
        (E::Endorsed, ResponsibleOfficer | Assignee) => None,
        (E::Declined, Requester) => Some(T::Declined),
        (E::Declined, ResponsibleOfficer | Assignee) => None,
        (E::Claimed | E::Assigned | E::ReviewResumed, Requester) => Some(T::InReview),
        (E::Assigned, Assignee) => Some(T::AssignedToYou),
        // An agent who claims or resumes a ticket is the one who did it.
        (E::Claimed | E::ReviewResumed, Assignee) => None,
        (E::Claimed | E::Assigned | E::ReviewResumed, ResponsibleOfficer) => None,
        (E::InformationRequested, Requester) => Some(T::InformationRequested),
        (E::InformationRequested, ResponsibleOfficer | Assignee) => None,
        (E::RequesterReplied, Assignee) => Some(T::RequesterReplied),
        (E::RequesterReplied, Requester | ResponsibleOfficer) => None,
        (E::WaitingOnAuthority, Requester) => Some(T::WaitingOnAuthority),
        (E::WaitingOnAuthority, ResponsibleOfficer | Assignee) => None,
        // A finding is mailed only when it ends the requester's turn at the authority:
        // for them, the agent is on it again.
        (E::AuthorityStatusRecorded, Requester) => Some(T::InReview),
        (E::AuthorityStatusRecorded, ResponsibleOfficer | Assignee) => None,
        (E::AuthorityLinkSent, Requester) => Some(T::AuthorityLinkSent),
        (E::AuthorityLinkSent, ResponsibleOfficer | Assignee) => None,
        (E::AuthorityLinkExpired, Assignee) => Some(T::LinkExpired),
        (E::AuthorityLinkExpired, Requester | ResponsibleOfficer) => None,
        (E::EndorsementOverdue, ResponsibleOfficer) => Some(T::EndorsementReminder),
        (E::EndorsementOverdue, Requester | Assignee) => None,
        (E::Resolved, Requester) => Some(T::Resolved),
        (E::Resolved, ResponsibleOfficer | Assignee) => None,
        (E::Rejected, Requester) => Some(T::Rejected),
        (E::Rejected, ResponsibleOfficer | Assignee) => None,
        // The officer vouched for the request, so they hear it was withdrawn.
        (E::Cancelled, Requester | ResponsibleOfficer) => Some(T::Cancelled),
        (E::Cancelled, Assignee) => None,
        (E::Reopened, Requester) => Some(T::Reopened),
        (E::Reopened, ResponsibleOfficer | Assignee) => None,
        (E::Closed, Requester) => Some(T::Closed),
        (E::Closed, ResponsibleOfficer | Assignee) => None,
        (E::CommentAdded, Requester) => Some(T::CommentAdded),
        (E::CommentAdded, Assignee) => Some(T::CommentToAgent),
        // Officers follow their tickets in the desk; comments do not fill their mailbox.
        (E::CommentAdded, ResponsibleOfficer) => None,
        (E::AutoReply, Sender) => Some(T::AutoReply),
        (E::AutoReply, Requester | ResponsibleOfficer | Assignee) => None,
        // A sender is answered about their own email, nothing else.
        (
            E::TicketReceived
            | E::EndorsementNeeded
            | E::Endorsed
            | E::Declined
            | E::Claimed
            | E::Assigned
            | E::ReviewResumed
            | E::InformationRequested
            | E::RequesterReplied
            | E::WaitingOnAuthority
            | E::AuthorityStatusRecorded
            | E::AuthorityLinkSent
            | E::AuthorityLinkExpired
            | E::EndorsementOverdue
            | E::Resolved
            | E::Rejected
            | E::Cancelled
            | E::Reopened
            | E::Closed
            | E::CommentAdded,
            Sender,
        ) => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every (event, recipient) somebody is written to about.
    pub(crate) fn mailed() -> Vec<(EventKind, Recipient)> {
        EventKind::ALL
            .into_iter()
            .flat_map(|kind| Recipient::ALL.map(|recipient| (kind, recipient)))
            .filter(|(kind, recipient)| template_for(*kind, *recipient).is_some())
            .collect()
    }
    #[test]
    fn every_template_is_used_and_every_event_reaches_someone() {
        let used: std::collections::HashSet<Template> = mailed()
            .into_iter()
            .filter_map(|(kind, recipient)| template_for(kind, recipient))
            .collect();
        for template in Template::ALL {
            assert!(used.contains(&template), "{template:?} is never sent");
        }
        for kind in EventKind::ALL {
            assert!(
                mailed().iter().any(|(k, _)| *k == kind),
                "nobody hears of {kind:?}"
            );
        }
    }

    #[test]
    fn no_template_for_an_event_nobody_is_written_to_about() {
        assert_eq!(template_for(EventKind::Claimed, Recipient::Assignee), None);
        assert_eq!(
            template_for(EventKind::EndorsementNeeded, Recipient::Requester),
            None
        );
        assert_eq!(
            template_for(EventKind::CommentAdded, Recipient::ResponsibleOfficer),
            None
        );
    }
}
