//! What a person may do to a ticket as it stands, and what each action asks of them: the
//! actions a page offers. The same checks [`decide`](super::decide) makes before it looks
//! at what was filled in, so a page never offers what the rules would refuse for who or
//! where, and never hides what they would allow.

use crate::Message;

use super::action::{ActionKind, target};
use super::roles::{Actor, TicketFacts};

/// Whether an action takes a finding at the certificate authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Required,
    Optional,
    NotTaken,
}

/// The actions `actor` may take on `ticket` now, in the table's order.
pub fn offered(ticket: &TicketFacts, actor: &Actor) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|kind| actor.is(kind.who_may(), ticket))
        .filter(|kind| target(ticket.status, *kind).is_some())
        // Nobody handles their own request.
        .filter(|kind| !(*kind == ActionKind::Claim && actor.nip == ticket.requester_nip))
        .collect()
}

impl ActionKind {
    /// The action's name on a button.
    pub fn title(self) -> Message {
        let (id, en) = match self {
            Self::Endorse => ("Setujui", "Endorse"),
            Self::Decline => ("Tolak dukungan", "Decline"),
            Self::Claim => ("Ambil", "Claim"),
            Self::Assign => ("Tugaskan", "Assign"),
            Self::RequestInformation => ("Minta kelengkapan", "Request information"),
            Self::Reply => ("Balas", "Reply"),
            Self::WaitOnAuthority => ("Tunggu BSrE", "Wait on the authority"),
            Self::RecordAuthorityStatus => ("Catat status BSrE", "Record the authority's status"),
            Self::SendAuthorityLink => ("Kirim tautan BSrE", "Send the authority's link"),
            Self::ResumeReview => ("Lanjutkan peninjauan", "Resume review"),
            Self::Resolve => ("Selesaikan", "Resolve"),
            Self::Reject => ("Tolak", "Reject"),
            Self::Cancel => ("Batalkan", "Cancel"),
            Self::Reopen => ("Buka kembali", "Reopen"),
            Self::Close => ("Tutup", "Close"),
        };
        Message::new(id, en)
    }

    /// A reason must be given (it is shown to the requester).
    pub fn reason_required(self) -> bool {
        matches!(
            self,
            Self::Decline | Self::Reject | Self::RequestInformation | Self::Reopen
        )
    }

    /// Whether the action takes what the agent found at the authority.
    pub fn finding(self) -> Finding {
        match self {
            Self::WaitOnAuthority | Self::RecordAuthorityStatus => Finding::Required,
            Self::Resolve | Self::SendAuthorityLink => Finding::Optional,
            Self::Endorse
            | Self::Decline
            | Self::Claim
            | Self::Assign
            | Self::RequestInformation
            | Self::Reply
            | Self::ResumeReview
            | Self::Reject
            | Self::Cancel
            | Self::Reopen
            | Self::Close => Finding::NotTaken,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::identity::Nip;
    use crate::lifecycle::{Action, LifecycleRules, Refusal, Role, Status, decide};

    fn nip(raw: &str) -> Nip {
        Nip::parse(raw).unwrap()
    }

    /// Whatever is offered, `decide` does not refuse for who or where; whatever is not
    /// offered, it does. Every state, every kind of person.
    #[test]
    fn what_is_offered_is_exactly_what_the_rules_allow() {
        const REQUESTER: &str = "198507232010121002";
        const OFFICER: &str = "197001012000031001";
        const AGENT: &str = "199001012015031001";
        let people = [
            Actor {
                nip: nip(REQUESTER),
                roles: vec![Role::Requester],
            },
            Actor {
                nip: nip(OFFICER),
                roles: vec![Role::Officer],
            },
            Actor {
                nip: nip(AGENT),
                roles: vec![Role::Agent],
            },
            Actor {
                nip: nip("199202022016032002"),
                roles: vec![Role::Agent, Role::Supervisor],
            },
        ];
        let rules = LifecycleRules::default();
        for status in Status::ALL {
            for assignee in [None, Some(nip(AGENT))] {
                let ticket = TicketFacts {
                    status,
                    requester_nip: nip(REQUESTER),
                    officer_nip: nip(OFFICER),
                    assignee_nip: assignee.clone(),
                    resolved_at: Some(Utc::now()),
                };
                for actor in &people {
                    let offered = offered(&ticket, actor);
                    for kind in ActionKind::ALL {
                        let refused_for_who_or_where = matches!(
                            decide(&ticket, actor, &Action::new(kind), Utc::now(), &rules),
                            Err(Refusal::NotPermitted { .. }
                                | Refusal::NotAllowedInState { .. }
                                | Refusal::AlreadyClaimed
                                | Refusal::OwnTicket)
                        );
                        // Assign names its agent in the form; decided without one it
                        // is refused for the missing field, not for who or where.
                        assert_eq!(
                            offered.contains(&kind),
                            !refused_for_who_or_where,
                            "{kind:?} in {status:?} for {:?} (assignee {assignee:?})",
                            actor.roles
                        );
                    }
                }
            }
        }
    }
}
