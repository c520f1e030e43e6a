//! The outbox: `ticket_events` rows as email deliveries. [`enqueue`] is the one way an
//! event gets in, called by the transactions that change tickets; the reader here turns
//! leased rows back into typed [`Notice`]s with what their emails need. `lease.rs` hands
//! rows to workers and records how each delivery ended; `operations.rs` is the
//! operators' view (dead letters, requeueing, numbers, wake-ups).
//!
//! The protocol, for any number of workers:
//! 1. `claim` leases due rows in one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
//!    so two workers never take the same row) and commits at once: no lock is held while
//!    a message is on the wire.
//! 2. The worker sends, then settles each row with a statement guarded by
//!    `locked_by = me AND delivery = 'sending'`: a worker whose lease ran out and was
//!    rescued cannot overwrite what another worker did since.
//! 3. `rescue_expired` returns rows whose lease ran out (the worker died or stalled) to
//!    `pending`, or to `dead` once they have used up their attempts.

mod lease;
mod operations;

use std::collections::HashMap;
use std::time::Duration;

use certdesk_domain::lifecycle::Recipient;
use certdesk_domain::{ChangeKind, Event, EventKind, Language, Notice, Service, TicketNumber};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::decode::{decode, decode_opt};
use crate::entities::{officers, staff, ticket_events, tickets};
use crate::{Store, StoreError};

pub use operations::OutboxListener;

/// The PostgreSQL channel that `ticket_events` inserts notify.
pub const OUTBOX_CHANNEL: &str = "certdesk_outbox";

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    Sending,
    Sent,
    Dead,
    Skipped,
}

impl Delivery {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Dead => "dead",
            Self::Skipped => "skipped",
        }
    }
}

/// A leased event with everything needed to write its email. Personal data stays in
/// here: only the NIK-free facts of the ticket and the recipient's address and name.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub event_id: Uuid,
    pub ticket: TicketNumber,
    /// What happened, to whom, and the ticket's state after it.
    pub notice: Notice,
    /// Where to write; `None` when nobody with an address is on file.
    pub address: Option<String>,
    pub recipient_name: Option<String>,
    /// The recipient's own language preference, when they stated one.
    pub language: Option<Language>,
    pub service: Service,
    pub subtype: Option<ChangeKind>,
    pub requester_name: String,
    pub requester_unit: String,
    /// Which attempt this is, counting from 1.
    pub attempt: u32,
    /// An earlier attempt may have reached the server (it dropped after the message
    /// went out); one more attempt is all such a message gets.
    pub uncertain: bool,
    pub created_at: DateTime<Utc>,
}

/// A leased row: a message to send, or an event this version cannot read back (recorded
/// as skipped with the reason: retrying or requeueing cannot make it readable).
#[derive(Debug, Clone)]
pub enum Leased {
    Message(Box<OutboxMessage>),
    Unreadable { event_id: Uuid, reason: String },
}

/// A delivery the desk gave up on, as operators see it.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub event_id: Uuid,
    pub ticket: TicketNumber,
    pub kind: EventKind,
    /// Whom it was for; `None` if the event no longer reads back.
    pub recipient: Option<Recipient>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Numbers for monitoring, shared by every worker because they come from the table.
#[derive(Debug, Clone, Default)]
pub struct OutboxStats {
    pub pending: u64,
    /// Of the pending: due now (not waiting for a retry's backoff).
    pub due: u64,
    pub sending: u64,
    pub dead: u64,
    pub oldest_due_age: Option<Duration>,
    /// Over the most recent sent messages (up to `LATENCY_SAMPLE`): from the event to
    /// the server's acceptance, and how many attempts it took.
    pub sample: u64,
    pub latency_p50: Option<Duration>,
    pub latency_p95: Option<Duration>,
    pub latency_max: Option<Duration>,
    pub attempts_total: u64,
    pub retried: u64,
}

const LATENCY_SAMPLE: u64 = 1000;

/// Puts an event for its recipient in the outbox. Called inside the transaction of the
/// change it reports, so neither exists without the other; the worker turns it into an
/// email.
pub(crate) async fn enqueue(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    notice: &Notice,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let payload = serde_json::to_value(notice).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ticket_events::ActiveModel {
        // Time-ordered ids: the outbox's natural order, and an index that appends.
        id: Set(Uuid::now_v7()),
        ticket_id: Set(ticket_id),
        kind: Set(notice.event.kind().code().to_owned()),
        payload: Set(payload),
        created_at: Set(at),
        delivery: Set(Delivery::Pending.code().to_owned()),
        attempts: Set(0),
        available_at: Set(at),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        uncertain: Set(false),
        sent_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The notice an outbox row holds. The `kind` column is the event's kind; rows written
/// before the payload carried it too read the same way.
fn notice(event: &ticket_events::Model) -> Result<Notice, String> {
    let mut payload = event.payload.clone();
    match payload.as_object_mut() {
        Some(fields) => {
            fields.insert("kind".into(), serde_json::Value::from(event.kind.clone()));
        }
        None => return Err("the payload is not a JSON object".into()),
    }
    serde_json::from_value(payload)
        .map_err(|e| format!("the {} event does not read back: {e}", event.kind))
}

impl Store {
    /// Joins the leased events with their tickets and recipients in two queries.
    async fn compose_messages(
        &self,
        mut events: Vec<ticket_events::Model>,
    ) -> Result<Vec<Leased>, StoreError> {
        events.sort_by_key(|e| e.id);
        let ticket_ids: Vec<i64> = events.iter().map(|e| e.ticket_id).collect();
        let tickets: HashMap<i64, tickets::Model> = tickets::Entity::find()
            .filter(tickets::Column::Id.is_in(ticket_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let notices: Vec<Result<Notice, String>> = events.iter().map(notice).collect();
        let staff_nips: Vec<String> = notices
            .iter()
            .flatten()
            .filter(|n| !matches!(n.recipient, Recipient::Requester | Recipient::Sender))
            .filter_map(|n| n.recipient_nip.as_ref().map(|nip| nip.as_str().to_owned()))
            .collect();
        let (directory, desk_staff): (
            HashMap<String, officers::Model>,
            HashMap<String, staff::Model>,
        ) = if staff_nips.is_empty() {
            (HashMap::new(), HashMap::new())
        } else {
            (
                officers::Entity::find()
                    .filter(officers::Column::Nip.is_in(staff_nips.clone()))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|o| (o.nip.clone(), o))
                    .collect(),
                staff::Entity::find()
                    .filter(staff::Column::Nip.is_in(staff_nips))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|s| (s.nip.clone(), s))
                    .collect(),
            )
        };
        events
            .into_iter()
            .zip(notices)
            .map(|(event, notice)| {
                let notice = match notice {
                    Ok(notice) => notice,
                    Err(reason) => {
                        return Ok(Leased::Unreadable {
                            event_id: event.id,
                            reason,
                        });
                    }
                };
                let ticket = tickets.get(&event.ticket_id).ok_or_else(|| {
                    StoreError::Corrupt(format!("event {} has no ticket", event.id))
                })?;
                // One ticket that no longer reads back holds up its own events only.
                let service = decode("service", &ticket.service, Service::from_code);
                let subtype =
                    decode_opt("sub-type", ticket.subtype.as_deref(), ChangeKind::from_code);
                let (service, subtype) = match (service, subtype) {
                    (Ok(service), Ok(subtype)) => (service, subtype),
                    (Err(e), _) | (_, Err(e)) => {
                        return Ok(Leased::Unreadable {
                            event_id: event.id,
                            reason: e.to_string(),
                        });
                    }
                };
                let (address, recipient_name, language) = match notice.recipient {
                    // Answered where they wrote from, in the language decided then.
                    Recipient::Sender => match &notice.event {
                        Event::AutoReply { to, language, .. } => {
                            (Some(to.clone()), None, *language)
                        }
                        _ => (None, None, None),
                    },
                    Recipient::Requester => (
                        Some(ticket.requester_email.clone()),
                        Some(ticket.requester_name.clone()),
                        ticket.language.as_deref().and_then(Language::from_tag),
                    ),
                    // Agents are written to as the staff directory says, in their
                    // language; officers (and agents only listed there, as before the
                    // staff directory) as the officers' directory says. Someone in
                    // neither has no address on file.
                    Recipient::ResponsibleOfficer | Recipient::Assignee => {
                        let nip = notice.recipient_nip.as_ref().map(|n| n.as_str());
                        let member = nip
                            .filter(|_| notice.recipient == Recipient::Assignee)
                            .and_then(|n| desk_staff.get(n));
                        match (member, nip.and_then(|n| directory.get(n))) {
                            (Some(member), _) => (
                                Some(member.email.clone()),
                                Some(member.name.clone()),
                                Language::from_tag(&member.language),
                            ),
                            (None, Some(person)) => {
                                (Some(person.email.clone()), Some(person.name.clone()), None)
                            }
                            (None, None) => (None, None, None),
                        }
                    }
                };
                Ok(Leased::Message(Box::new(OutboxMessage {
                    event_id: event.id,
                    ticket: TicketNumber::from_sequence(ticket.id)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    notice,
                    address,
                    recipient_name,
                    language,
                    service,
                    subtype,
                    requester_name: ticket.requester_name.clone(),
                    requester_unit: ticket.requester_unit.clone(),
                    attempt: u32::try_from(event.attempts).unwrap_or(u32::MAX),
                    uncertain: event.uncertain,
                    created_at: event.created_at,
                })))
            })
            .collect()
    }
}
