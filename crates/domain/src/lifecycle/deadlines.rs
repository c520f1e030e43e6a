//! The desk's own clocks: the authority's link that expired unused, the endorsement an
//! officer has left waiting, the resolved ticket whose reopen window ended. Each rule
//! says when something is due and what follows; the worker's timer pass (through the
//! store) finds what is due and applies it, once, however many workers run.

use chrono::{DateTime, Duration, Utc};

use crate::event::{Event, Notice};

use super::authority::AuthorityLink;
use super::rules::{LifecycleRules, ReminderRules};
use super::{Recipient, Status, TicketFacts};

/// What the clocks go by: the reminders' rules (`[timers]`) and the lifecycle's reopen
/// window, together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRules {
    /// How long an endorsement may wait before the officer is reminded.
    pub endorsement_reminder_after: Duration,
    /// How often the reminder comes again while it still waits.
    pub endorsement_reminder_every: Duration,
    /// How long after resolution a ticket may be reopened; then it closes itself.
    pub reopen_window: Duration,
}

impl DeadlineRules {
    pub fn new(lifecycle: &LifecycleRules, reminders: &ReminderRules) -> Self {
        Self {
            endorsement_reminder_after: reminders.endorsement_reminder_after,
            endorsement_reminder_every: reminders.endorsement_reminder_every,
            reopen_window: lifecycle.reopen_window,
        }
    }
}

impl Default for DeadlineRules {
    fn default() -> Self {
        Self::new(&LifecycleRules::default(), &ReminderRules::default())
    }
}

impl DeadlineRules {
    /// Endorsements filed before this wait too long at `now`.
    pub fn endorsement_overdue_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.endorsement_reminder_after
    }

    /// A reminder sent before this is old enough to be sent again at `now`.
    pub fn endorsement_reminded_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.endorsement_reminder_every
    }

    /// Tickets resolved before this close themselves at `now`.
    pub fn resolved_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.reopen_window
    }
}

/// The assigned agent hears that the requester's link expired unused, so that a fresh
/// one can be sent.
pub fn link_expired_notice(ticket: &TicketFacts, link: &AuthorityLink) -> Option<Notice> {
    (ticket.status == Status::AwaitingRequesterAtAuthority && ticket.assignee_nip.is_some()).then(
        || {
            Notice::to(
                Recipient::Assignee,
                ticket,
                Event::AuthorityLinkExpired {
                    step: link.step,
                    expired_at: link.expires_at,
                },
            )
        },
    )
}

/// The responsible officer is reminded of an endorsement waiting since `filed_at`.
pub fn endorsement_reminder(ticket: &TicketFacts, filed_at: DateTime<Utc>) -> Option<Notice> {
    (ticket.status == Status::AwaitingEndorsement).then(|| {
        Notice::to(
            Recipient::ResponsibleOfficer,
            ticket,
            Event::EndorsementOverdue {
                waiting_since: filed_at,
            },
        )
    })
}

/// What the requester hears when their resolved ticket closes itself.
pub fn closed_by_the_desk(ticket: &TicketFacts) -> Notice {
    let closed = TicketFacts {
        status: Status::Closed,
        ..ticket.clone()
    };
    Notice::to(
        Recipient::Requester,
        &closed,
        Event::Closed { reason: None },
    )
}

/// The history's reason for a ticket the desk closed.
pub const REOPEN_WINDOW_ENDED: &str = "Ditutup otomatis: batas waktu pembukaan kembali telah lewat / closed automatically: the reopen window ended";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Nip;
    use crate::lifecycle::RequesterStep;

    fn facts(status: Status) -> TicketFacts {
        TicketFacts {
            status,
            requester_nip: Nip::parse("199005172015031001").unwrap(),
            officer_nip: Nip::parse("197501012000031002").unwrap(),
            assignee_nip: Some(Nip::parse("198501012010011001").unwrap()),
            resolved_at: None,
        }
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn each_clock_tells_the_person_who_can_act() {
        let link = AuthorityLink {
            step: RequesterStep::SetPassphrase,
            sent_at: at(0),
            expires_at: at(24),
        };
        let waiting = facts(Status::AwaitingRequesterAtAuthority);
        let expired = link_expired_notice(&waiting, &link).unwrap();
        assert_eq!(expired.recipient, Recipient::Assignee);
        assert_eq!(
            expired.recipient_nip.as_ref().map(Nip::as_str),
            Some("198501012010011001")
        );
        assert_eq!(link_expired_notice(&facts(Status::InReview), &link), None);

        let endorsing = facts(Status::AwaitingEndorsement);
        let reminder = endorsement_reminder(&endorsing, at(0)).unwrap();
        assert_eq!(reminder.recipient, Recipient::ResponsibleOfficer);
        assert_eq!(endorsement_reminder(&facts(Status::Submitted), at(0)), None);

        let closed = closed_by_the_desk(&facts(Status::Resolved));
        assert_eq!(closed.recipient, Recipient::Requester);
        assert_eq!(closed.status, Status::Closed);
    }

    #[test]
    fn the_cutoffs_follow_the_rules() {
        let rules = DeadlineRules::default();
        assert_eq!(rules.endorsement_overdue_before(at(48)), at(0));
        assert_eq!(rules.endorsement_reminded_before(at(48)), at(24));
        assert_eq!(rules.resolved_before(at(7 * 24)), at(0));
    }
}
