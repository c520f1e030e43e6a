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
use certdesk_domain::{
    ChangeKind, Contact, EventKind, Language, Nip, Notice, OnFile, Service, TicketNumber,
};
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
        let nips: Vec<String> = notices
            .iter()
            .flatten()
            .filter(|n| {
                matches!(
                    n.recipient,
                    Recipient::Assignee | Recipient::ResponsibleOfficer
                )
            })
            .filter_map(|n| n.recipient_nip.as_ref().map(|nip| nip.as_str().to_owned()))
            .collect();
        let (officer_contacts, staff_contacts) = self.contacts(nips).await?;
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
                // A language that does not read costs the requester's email its
                // language, not the delivery of any of the ticket's emails.
                let language = decode_opt(
                    "language",
                    ticket.language.as_deref(),
                    Language::from_tag,
                )
                .unwrap_or_else(|error| {
                    tracing::warn!(ticket = ticket.id, %error, "written to in the desk's language");
                    None
                });
                let (service, subtype) = match (service, subtype) {
                    (Ok(service), Ok(subtype)) => (service, subtype),
                    (Err(e), _) | (_, Err(e)) => {
                        return Ok(Leased::Unreadable {
                            event_id: event.id,
                            reason: e.to_string(),
                        });
                    }
                };
                let nip = notice.recipient_nip.as_ref().map(|n| n.as_str());
                let on_file = OnFile {
                    requester: Some(Contact {
                        address: ticket.requester_email.clone(),
                        name: Some(ticket.requester_name.clone()),
                        language,
                    }),
                    staff: nip.and_then(|n| staff_contacts.get(n)).cloned(),
                    officer: nip.and_then(|n| officer_contacts.get(n)).cloned(),
                };
                let addressee = notice.addressee(on_file);
                Ok(Leased::Message(Box::new(OutboxMessage {
                    event_id: event.id,
                    ticket: TicketNumber::from_sequence(ticket.id)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    address: addressee.as_ref().map(|a| a.address.clone()),
                    recipient_name: addressee.as_ref().and_then(|a| a.name.clone()),
                    language: addressee.and_then(|a| a.language),
                    notice,
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

impl Store {
    /// The contacts on file in the officers' and the staff directories for `nips`, as
    /// stored: writing to someone needs their address, not the rules of the day.
    async fn contacts(
        &self,
        nips: Vec<String>,
    ) -> Result<(HashMap<String, Contact>, HashMap<String, Contact>), StoreError> {
        if nips.is_empty() {
            return Ok(Default::default());
        }
        let officers = officers::Entity::find()
            .filter(officers::Column::Nip.is_in(nips.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.nip.clone(), officer_contact(o)))
            .collect();
        let staff = staff::Entity::find()
            .filter(staff::Column::Nip.is_in(nips))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.nip.clone(), staff_contact(s)))
            .collect();
        Ok((officers, staff))
    }

    /// Where a staff member is written to, and in which language, as the staff
    /// directory says.
    pub async fn staff_contact(&self, nip: &Nip) -> Result<Option<Contact>, StoreError> {
        Ok(staff::Entity::find_by_id(nip.as_str().to_owned())
            .one(&self.db)
            .await?
            .map(staff_contact))
    }
}

fn officer_contact(officer: officers::Model) -> Contact {
    Contact {
        address: officer.email,
        name: Some(officer.name),
        language: None,
    }
}

fn staff_contact(member: staff::Model) -> Contact {
    // A language that does not read costs the email its language, not its delivery.
    let language = decode("staff language", &member.language, Language::from_tag)
        .map_err(|error| tracing::warn!(staff = %member.nip, %error, "written to in the desk's language"))
        .ok();
    Contact {
        address: member.email,
        name: Some(member.name),
        language,
    }
}
