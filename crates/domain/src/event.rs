//! The events a ticket's life produces, one vocabulary for every crate: the store writes
//! them to the outbox in the transaction of the change, the worker reads them back and
//! decides who is written to about each.
//!
//! Each kind carries exactly what its email needs, typed: a decline its reason, a comment
//! its text and its author's capacity. The kind is the `kind` column of the outbox; the
//! rest travels as the row's JSON payload.

use serde::{Deserialize, Serialize};

use crate::Language;
use crate::identity::Nip;
use crate::inbound::AutoAnswer;
use crate::lifecycle::{Capacity, Recipient, RequesterStep, Status, TicketFacts};
use crate::service::CertificateStatus;
use crate::vocabulary::serde_as_code;

/// Something that happened to a ticket, with what the people it concerns need to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A ticket was filed.
    TicketReceived,
    /// A filed ticket waits for its responsible officer.
    EndorsementNeeded,
    Endorsed,
    Declined {
        reason: String,
    },
    Claimed,
    Assigned,
    ReviewResumed,
    InformationRequested {
        /// What is missing, as the agent wrote it.
        reason: String,
    },
    RequesterReplied {
        #[serde(default)]
        reason: Option<String>,
    },
    WaitingOnAuthority {
        /// What the agent found at the authority. Older events did not carry it.
        #[serde(default, with = "certificate_status_label")]
        certificate_status: Option<CertificateStatus>,
    },
    /// The agent recorded what they found at the authority.
    AuthorityStatusRecorded {
        #[serde(default, with = "certificate_status_label")]
        certificate_status: Option<CertificateStatus>,
    },
    /// The authority sent the requester a link to act on before it expires.
    AuthorityLinkSent {
        step: RequesterStep,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// The requester's link at the authority expired unused (to the assigned agent).
    AuthorityLinkExpired {
        step: RequesterStep,
        expired_at: chrono::DateTime<chrono::Utc>,
    },
    /// An endorsement has waited too long (to the responsible officer, again daily).
    EndorsementOverdue {
        waiting_since: chrono::DateTime<chrono::Utc>,
    },
    Resolved {
        #[serde(default)]
        reason: Option<String>,
    },
    Rejected {
        reason: String,
    },
    Cancelled {
        #[serde(default)]
        reason: Option<String>,
    },
    Reopened {
        reason: String,
    },
    Closed {
        #[serde(default)]
        reason: Option<String>,
    },
    /// A public comment.
    CommentAdded {
        comment: String,
        /// Who wrote it: the requester, the officer or the desk.
        author: Capacity,
    },
    /// The desk answers a person's email by itself: why it was not taken (or not all of
    /// it), and what to do instead. Addressed to the sender.
    AutoReply {
        /// The address the email came from.
        to: String,
        /// Their language, where the desk knows it or their mail said it.
        #[serde(default)]
        language: Option<Language>,
        answer: AutoAnswer,
    },
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::TicketReceived => EventKind::TicketReceived,
            Self::EndorsementNeeded => EventKind::EndorsementNeeded,
            Self::Endorsed => EventKind::Endorsed,
            Self::Declined { .. } => EventKind::Declined,
            Self::Claimed => EventKind::Claimed,
            Self::Assigned => EventKind::Assigned,
            Self::ReviewResumed => EventKind::ReviewResumed,
            Self::InformationRequested { .. } => EventKind::InformationRequested,
            Self::RequesterReplied { .. } => EventKind::RequesterReplied,
            Self::WaitingOnAuthority { .. } => EventKind::WaitingOnAuthority,
            Self::AuthorityStatusRecorded { .. } => EventKind::AuthorityStatusRecorded,
            Self::AuthorityLinkSent { .. } => EventKind::AuthorityLinkSent,
            Self::AuthorityLinkExpired { .. } => EventKind::AuthorityLinkExpired,
            Self::EndorsementOverdue { .. } => EventKind::EndorsementOverdue,
            Self::Resolved { .. } => EventKind::Resolved,
            Self::Rejected { .. } => EventKind::Rejected,
            Self::Cancelled { .. } => EventKind::Cancelled,
            Self::Reopened { .. } => EventKind::Reopened,
            Self::Closed { .. } => EventKind::Closed,
            Self::CommentAdded { .. } => EventKind::CommentAdded,
            Self::AutoReply { .. } => EventKind::AutoReply,
        }
    }

    /// What a person wrote with the event (a reason, a reply, a comment), if anything.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Declined { reason }
            | Self::InformationRequested { reason }
            | Self::Rejected { reason }
            | Self::Reopened { reason } => Some(reason),
            Self::RequesterReplied { reason }
            | Self::Resolved { reason }
            | Self::Cancelled { reason }
            | Self::Closed { reason } => reason.as_deref(),
            Self::CommentAdded { comment, .. } => Some(comment),
            Self::TicketReceived
            | Self::EndorsementNeeded
            | Self::Endorsed
            | Self::Claimed
            | Self::Assigned
            | Self::ReviewResumed
            | Self::WaitingOnAuthority { .. }
            | Self::AuthorityStatusRecorded { .. }
            | Self::AuthorityLinkSent { .. }
            | Self::AuthorityLinkExpired { .. }
            | Self::EndorsementOverdue { .. }
            | Self::AutoReply { .. } => None,
        }
    }
}

/// The kinds of [`Event`], as the outbox's `kind` column and operators' views name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    TicketReceived,
    EndorsementNeeded,
    Endorsed,
    Declined,
    Claimed,
    Assigned,
    ReviewResumed,
    InformationRequested,
    RequesterReplied,
    WaitingOnAuthority,
    AuthorityStatusRecorded,
    AuthorityLinkSent,
    AuthorityLinkExpired,
    EndorsementOverdue,
    Resolved,
    Rejected,
    Cancelled,
    Reopened,
    Closed,
    CommentAdded,
    AutoReply,
}

impl EventKind {
    pub const ALL: [EventKind; 21] = [
        Self::TicketReceived,
        Self::EndorsementNeeded,
        Self::Endorsed,
        Self::Declined,
        Self::Claimed,
        Self::Assigned,
        Self::ReviewResumed,
        Self::InformationRequested,
        Self::RequesterReplied,
        Self::WaitingOnAuthority,
        Self::AuthorityStatusRecorded,
        Self::AuthorityLinkSent,
        Self::AuthorityLinkExpired,
        Self::EndorsementOverdue,
        Self::Resolved,
        Self::Rejected,
        Self::Cancelled,
        Self::Reopened,
        Self::Closed,
        Self::CommentAdded,
        Self::AutoReply,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::TicketReceived => "ticket_received",
            Self::EndorsementNeeded => "endorsement_needed",
            Self::Endorsed => "endorsed",
            Self::Declined => "declined",
            Self::Claimed => "claimed",
            Self::Assigned => "assigned",
            Self::ReviewResumed => "review_resumed",
            Self::InformationRequested => "information_requested",
            Self::RequesterReplied => "requester_replied",
            Self::WaitingOnAuthority => "waiting_on_authority",
            Self::AuthorityStatusRecorded => "authority_status_recorded",
            Self::AuthorityLinkSent => "authority_link_sent",
            Self::AuthorityLinkExpired => "authority_link_expired",
            Self::EndorsementOverdue => "endorsement_overdue",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Reopened => "reopened",
            Self::Closed => "closed",
            Self::CommentAdded => "comment_added",
            Self::AutoReply => "auto_reply",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

serde_as_code!(EventKind, "event kind");

/// One event addressed to one person: an outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    #[serde(flatten)]
    pub event: Event,
    pub recipient: Recipient,
    /// The recipient's NIP when the event happened: the assignee may change before the
    /// email goes out, and the email goes to whom it concerned.
    pub recipient_nip: Option<Nip>,
    /// The ticket's state once the event happened.
    pub status: Status,
}

impl Notice {
    /// `event`, addressed to `recipient` on `ticket` as it stands after the event.
    pub fn to(recipient: Recipient, ticket: &TicketFacts, event: Event) -> Self {
        Self {
            event,
            recipient,
            recipient_nip: recipient.nip_on(ticket).cloned(),
            status: ticket.status,
        }
    }
}

/// The authority's statuses travel by the label its portal shows ("On Set Passphrase").
mod certificate_status_label {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::service::CertificateStatus;

    pub fn serialize<S: Serializer>(
        status: &Option<CertificateStatus>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match status {
            Some(status) => serializer.serialize_some(status.label()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<CertificateStatus>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            Some(label) => CertificateStatus::from_label(&label)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("unknown certificate status")),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<Event> {
        let reason = || "Pindaian KTP buram".to_owned();
        EventKind::ALL
            .into_iter()
            .map(|kind| match kind {
                EventKind::TicketReceived => Event::TicketReceived,
                EventKind::EndorsementNeeded => Event::EndorsementNeeded,
                EventKind::Endorsed => Event::Endorsed,
                EventKind::Declined => Event::Declined { reason: reason() },
                EventKind::Claimed => Event::Claimed,
                EventKind::Assigned => Event::Assigned,
                EventKind::ReviewResumed => Event::ReviewResumed,
                EventKind::InformationRequested => Event::InformationRequested { reason: reason() },
                EventKind::RequesterReplied => Event::RequesterReplied { reason: None },
                EventKind::WaitingOnAuthority => Event::WaitingOnAuthority {
                    certificate_status: Some(CertificateStatus::OnSetPassphrase),
                },
                EventKind::AuthorityStatusRecorded => Event::AuthorityStatusRecorded {
                    certificate_status: Some(CertificateStatus::Issue),
                },
                EventKind::AuthorityLinkSent => Event::AuthorityLinkSent {
                    step: crate::lifecycle::RequesterStep::CompleteProfile,
                    expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                        .unwrap_or_default(),
                },
                EventKind::AuthorityLinkExpired => Event::AuthorityLinkExpired {
                    step: crate::lifecycle::RequesterStep::SetPassphrase,
                    expired_at: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                        .unwrap_or_default(),
                },
                EventKind::EndorsementOverdue => Event::EndorsementOverdue {
                    waiting_since: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                        .unwrap_or_default(),
                },
                EventKind::Resolved => Event::Resolved { reason: None },
                EventKind::Rejected => Event::Rejected { reason: reason() },
                EventKind::Cancelled => Event::Cancelled { reason: None },
                EventKind::Reopened => Event::Reopened { reason: reason() },
                EventKind::Closed => Event::Closed { reason: None },
                EventKind::CommentAdded => Event::CommentAdded {
                    comment: "Mohon unggah ulang <b>KTP</b>".into(),
                    author: Capacity::Agent,
                },
                EventKind::AutoReply => Event::AutoReply {
                    to: "orang.lain@kemenkeu.go.id".into(),
                    language: Some(crate::Language::English),
                    answer: AutoAnswer::RuleBroken {
                        rule: crate::Message::new("aturan", "rule"),
                    },
                },
            })
            .collect()
    }

    #[test]
    fn every_kind_reads_back_as_written_and_is_tagged_with_its_code() {
        for event in one_of_each() {
            let notice = Notice {
                event: event.clone(),
                recipient: Recipient::Requester,
                recipient_nip: Some(Nip::parse("199005172015031001").unwrap()),
                status: Status::InReview,
            };
            let json = serde_json::to_value(&notice).unwrap();
            assert_eq!(json["kind"], event.kind().code(), "{event:?}");
            let back: Notice = serde_json::from_value(json).unwrap();
            assert_eq!(back, notice);
        }
    }

    #[test]
    fn events_written_before_their_payload_was_typed_still_read() {
        // What the store wrote for every event before: recipient, NIP, status, reason.
        let old = serde_json::json!({
            "kind": "waiting_on_authority", "recipient": "requester",
            "recipient_nip": "199005172015031001", "status": "waiting_on_authority",
            "reason": null
        });
        let notice: Notice = serde_json::from_value(old).unwrap();
        assert_eq!(
            notice.event,
            Event::WaitingOnAuthority {
                certificate_status: None
            }
        );
        let declined = serde_json::json!({
            "kind": "declined", "recipient": "requester", "recipient_nip": null,
            "status": "rejected", "reason": "Bukan pegawai unit ini."
        });
        assert!(serde_json::from_value::<Notice>(declined).is_ok());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
        }
    }
}
