//! The outbox: `ticket_events` rows as email deliveries. Events are written by the
//! transactions that change tickets (see `write_event`); this module leases them to
//! workers and records how each delivery ended.
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

use std::collections::HashMap;
use std::time::Duration;

use certdesk_domain::lifecycle::{Recipient, Status};
use certdesk_domain::{Language, TicketNumber};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, ExprTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::entities::{officers, ticket_events, tickets};
use crate::{Store, StoreError};

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
/// here: only the NIP-free facts of the ticket and the recipient's address and name.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub event_id: Uuid,
    pub ticket: TicketNumber,
    pub kind: String,
    pub recipient: Recipient,
    /// Where to write; `None` when nobody with an address is on file.
    pub address: Option<String>,
    pub recipient_name: Option<String>,
    /// The recipient's own language preference, when they stated one.
    pub language: Option<Language>,
    /// The ticket's state when the event happened.
    pub status: Option<Status>,
    pub reason: Option<String>,
    pub service: String,
    pub subtype: Option<String>,
    pub requester_name: String,
    pub requester_unit: String,
    /// Which attempt this is, counting from 1.
    pub attempt: u32,
    /// An earlier attempt may have reached the server (it dropped after the message
    /// went out); one more attempt is all such a message gets.
    pub uncertain: bool,
    pub created_at: DateTime<Utc>,
}

/// A delivery the desk gave up on, as operators see it.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub event_id: Uuid,
    pub ticket: TicketNumber,
    pub kind: String,
    pub recipient: String,
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

impl Store {
    /// Leases up to `limit` due events to `worker` for `lease`, and loads what their
    /// emails need. Each lease counts as an attempt.
    pub async fn claim_outbox(
        &self,
        worker: &str,
        limit: u64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let locked_until = now + lease_delta(lease);
        let due = Query::select()
            .column(ticket_events::Column::Id)
            .from(ticket_events::Entity)
            .and_where(ticket_events::Column::Delivery.eq(Delivery::Pending.code()))
            .and_where(ticket_events::Column::AvailableAt.lte(now))
            .order_by(ticket_events::Column::AvailableAt, Order::Asc)
            .limit(limit)
            // Dropped by the SQLite query builder: there the one writer at a time is the
            // lock, and the single in-process worker relies on it.
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let claimed = ticket_events::Entity::update_many()
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Sending.code()),
            )
            .col_expr(
                ticket_events::Column::Attempts,
                Expr::col(ticket_events::Column::Attempts).add(1),
            )
            .col_expr(ticket_events::Column::LockedBy, Expr::value(worker))
            .col_expr(
                ticket_events::Column::LockedUntil,
                Expr::value(locked_until),
            )
            .filter(ticket_events::Column::Id.in_subquery(due))
            .filter(ticket_events::Column::Delivery.eq(Delivery::Pending.code()))
            .exec_with_returning(&self.db)
            .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        self.compose_messages(claimed).await
    }

    /// Joins the leased events with their tickets and recipients in two queries.
    async fn compose_messages(
        &self,
        mut events: Vec<ticket_events::Model>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        events.sort_by_key(|e| e.id);
        let ticket_ids: Vec<i64> = events.iter().map(|e| e.ticket_id).collect();
        let tickets: HashMap<i64, tickets::Model> = tickets::Entity::find()
            .filter(tickets::Column::Id.is_in(ticket_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let staff_nips: Vec<String> = events
            .iter()
            .filter(|e| payload_str(e, "recipient") != Some(Recipient::Requester.code()))
            .filter_map(|e| payload_str(e, "recipient_nip").map(str::to_owned))
            .collect();
        let staff: HashMap<String, officers::Model> = if staff_nips.is_empty() {
            HashMap::new()
        } else {
            officers::Entity::find()
                .filter(officers::Column::Nip.is_in(staff_nips))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|o| (o.nip.clone(), o))
                .collect()
        };
        events
            .into_iter()
            .map(|event| {
                let ticket = tickets.get(&event.ticket_id).ok_or_else(|| {
                    StoreError::Corrupt(format!("event {} has no ticket", event.id))
                })?;
                let recipient = payload_str(&event, "recipient")
                    .and_then(Recipient::from_code)
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("event {} names no recipient", event.id))
                    })?;
                let (address, recipient_name, language) = match recipient {
                    Recipient::Requester => (
                        Some(ticket.requester_email.clone()),
                        Some(ticket.requester_name.clone()),
                        ticket.language.as_deref().and_then(Language::from_tag),
                    ),
                    // Officers and agents are looked up in the directory by NIP; an
                    // agent who is not in it has no address on file.
                    Recipient::ResponsibleOfficer | Recipient::Assignee => {
                        match payload_str(&event, "recipient_nip").and_then(|n| staff.get(n)) {
                            Some(person) => {
                                (Some(person.email.clone()), Some(person.name.clone()), None)
                            }
                            None => (None, None, None),
                        }
                    }
                };
                Ok(OutboxMessage {
                    event_id: event.id,
                    ticket: TicketNumber::from_sequence(ticket.id)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    recipient,
                    address,
                    recipient_name,
                    language,
                    status: payload_str(&event, "status").and_then(Status::from_code),
                    reason: payload_str(&event, "reason").map(str::to_owned),
                    service: ticket.service.clone(),
                    subtype: ticket.subtype.clone(),
                    requester_name: ticket.requester_name.clone(),
                    requester_unit: ticket.requester_unit.clone(),
                    attempt: u32::try_from(event.attempts).unwrap_or(u32::MAX),
                    uncertain: event.uncertain,
                    created_at: event.created_at,
                    kind: event.kind,
                })
            })
            .collect()
    }

    /// The server accepted these messages.
    pub async fn mark_sent(
        &self,
        worker: &str,
        ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let result = leased_by(worker, ids)
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Sent.code()),
            )
            .col_expr(ticket_events::Column::SentAt, Expr::value(Some(at)))
            .col_expr(ticket_events::Column::LockedUntil, null_time())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// A failure worth trying again at `available_at`.
    pub async fn mark_retry(
        &self,
        worker: &str,
        id: Uuid,
        available_at: DateTime<Utc>,
        error: &str,
        uncertain: bool,
    ) -> Result<bool, StoreError> {
        let mut update = leased_by(worker, &[id])
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Pending.code()),
            )
            .col_expr(
                ticket_events::Column::AvailableAt,
                Expr::value(available_at),
            )
            .col_expr(ticket_events::Column::LastError, Expr::value(error))
            .col_expr(ticket_events::Column::LockedUntil, null_time())
            .col_expr(ticket_events::Column::LockedBy, null_text());
        if uncertain {
            update = update.col_expr(ticket_events::Column::Uncertain, Expr::value(true));
        }
        Ok(update.exec(&self.db).await?.rows_affected == 1)
    }

    /// Gave up (`Dead`) or nobody to write to (`Skipped`), with the reason.
    pub async fn mark_final(
        &self,
        worker: &str,
        id: Uuid,
        outcome: Delivery,
        reason: &str,
    ) -> Result<bool, StoreError> {
        debug_assert!(matches!(outcome, Delivery::Dead | Delivery::Skipped));
        let result = leased_by(worker, &[id])
            .col_expr(ticket_events::Column::Delivery, Expr::value(outcome.code()))
            .col_expr(ticket_events::Column::LastError, Expr::value(reason))
            .col_expr(ticket_events::Column::LockedUntil, null_time())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Hands back leased rows that were never tried (a stopping worker): the attempt the
    /// lease counted is taken back.
    pub async fn release(&self, worker: &str, ids: &[Uuid]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let result = leased_by(worker, ids)
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Pending.code()),
            )
            .col_expr(
                ticket_events::Column::Attempts,
                Expr::col(ticket_events::Column::Attempts).sub(1),
            )
            .col_expr(ticket_events::Column::LockedUntil, null_time())
            .col_expr(ticket_events::Column::LockedBy, null_text())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Returns rows whose lease has run out: to `pending` while attempts remain, else to
    /// `dead`. Returns (returned, dead).
    pub async fn rescue_expired(
        &self,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<(u64, u64), StoreError> {
        let expired = || {
            ticket_events::Entity::update_many()
                .filter(ticket_events::Column::Delivery.eq(Delivery::Sending.code()))
                .filter(ticket_events::Column::LockedUntil.lt(now))
                .col_expr(ticket_events::Column::LockedUntil, null_time())
                .col_expr(ticket_events::Column::LockedBy, null_text())
        };
        let max_attempts = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let dead = expired()
            .filter(ticket_events::Column::Attempts.gte(max_attempts))
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Dead.code()),
            )
            .col_expr(
                ticket_events::Column::LastError,
                Expr::value("the worker's lease ran out on the last attempt"),
            )
            .exec(&self.db)
            .await?
            .rows_affected;
        let returned = expired()
            .filter(ticket_events::Column::Attempts.lt(max_attempts))
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Pending.code()),
            )
            .col_expr(ticket_events::Column::AvailableAt, Expr::value(now))
            .col_expr(
                ticket_events::Column::LastError,
                Expr::value("the worker's lease ran out (stopped or stalled)"),
            )
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok((returned, dead))
    }

    /// Dead letters, oldest first, a page at a time after `after`.
    pub async fn dead_letters(
        &self,
        limit: u64,
        after: Option<(DateTime<Utc>, Uuid)>,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        let mut query = ticket_events::Entity::find()
            .filter(ticket_events::Column::Delivery.eq(Delivery::Dead.code()))
            .order_by_asc(ticket_events::Column::CreatedAt)
            .order_by_asc(ticket_events::Column::Id)
            .limit(limit);
        if let Some((at, id)) = after {
            query = query.filter(
                Expr::tuple([
                    Expr::col(ticket_events::Column::CreatedAt),
                    Expr::col(ticket_events::Column::Id),
                ])
                .gt(Expr::tuple([Expr::value(at), Expr::value(id)])),
            );
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| {
                Ok(DeadLetter {
                    ticket: TicketNumber::from_sequence(e.ticket_id)
                        .map_err(|err| StoreError::Corrupt(err.to_string()))?,
                    recipient: payload_str(&e, "recipient").unwrap_or("unknown").to_owned(),
                    event_id: e.id,
                    kind: e.kind,
                    attempts: e.attempts,
                    last_error: e.last_error,
                    created_at: e.created_at,
                })
            })
            .collect()
    }

    /// Puts dead letters back in line with a fresh set of attempts: one (`Some(id)`) or
    /// all of them. Returns how many were requeued.
    pub async fn requeue_dead(
        &self,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut update = ticket_events::Entity::update_many()
            .filter(ticket_events::Column::Delivery.eq(Delivery::Dead.code()))
            .col_expr(
                ticket_events::Column::Delivery,
                Expr::value(Delivery::Pending.code()),
            )
            .col_expr(ticket_events::Column::Attempts, Expr::value(0))
            .col_expr(ticket_events::Column::Uncertain, Expr::value(false))
            .col_expr(ticket_events::Column::AvailableAt, Expr::value(now));
        if let Some(id) = id {
            update = update.filter(ticket_events::Column::Id.eq(id));
        }
        let requeued = update.exec(&self.db).await?.rows_affected;
        if requeued > 0 && self.db.get_database_backend() == DatabaseBackend::Postgres {
            // The insert trigger does not fire for an update; wake the workers here.
            self.db
                .execute_raw(Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("NOTIFY {OUTBOX_CHANNEL}"),
                ))
                .await?;
        }
        Ok(requeued)
    }

    pub async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, StoreError> {
        let count = |delivery: Delivery| {
            ticket_events::Entity::find()
                .filter(ticket_events::Column::Delivery.eq(delivery.code()))
        };
        let pending = count(Delivery::Pending).count(&self.db).await?;
        let due = count(Delivery::Pending)
            .filter(ticket_events::Column::AvailableAt.lte(now))
            .count(&self.db)
            .await?;
        let sending = count(Delivery::Sending).count(&self.db).await?;
        let dead = count(Delivery::Dead).count(&self.db).await?;
        let oldest_due: Option<DateTime<Utc>> = count(Delivery::Pending)
            .select_only()
            .column(ticket_events::Column::AvailableAt)
            .order_by_asc(ticket_events::Column::AvailableAt)
            .into_tuple()
            .one(&self.db)
            .await?;
        let recent: Vec<(DateTime<Utc>, Option<DateTime<Utc>>, i32)> =
            ticket_events::Entity::find()
                .filter(ticket_events::Column::SentAt.is_not_null())
                .select_only()
                .column(ticket_events::Column::CreatedAt)
                .column(ticket_events::Column::SentAt)
                .column(ticket_events::Column::Attempts)
                .order_by_desc(ticket_events::Column::SentAt)
                .limit(LATENCY_SAMPLE)
                .into_tuple()
                .all(&self.db)
                .await?;
        let mut latencies: Vec<Duration> = recent
            .iter()
            .filter_map(|(created, sent, _)| ((*sent)? - *created).to_std().ok())
            .collect();
        latencies.sort_unstable();
        let quantile = |q: f64| {
            let last = latencies.len().checked_sub(1)?;
            // Nearest rank: good enough for a dashboard, exact for small samples.
            let rank = (q * last as f64).round() as usize;
            latencies.get(rank.min(last)).copied()
        };
        Ok(OutboxStats {
            pending,
            due,
            sending,
            dead,
            oldest_due_age: oldest_due
                .filter(|at| *at <= now)
                .and_then(|at| (now - at).to_std().ok()),
            sample: recent.len() as u64,
            latency_p50: quantile(0.5),
            latency_p95: quantile(0.95),
            latency_max: latencies.last().copied(),
            attempts_total: recent
                .iter()
                .map(|(_, _, a)| u64::from(a.unsigned_abs()))
                .sum(),
            retried: recent.iter().filter(|(_, _, a)| *a > 1).count() as u64,
        })
    }

    /// On PostgreSQL, a listener woken whenever events commit; `None` on SQLite, where
    /// the worker lives in the same process and polls.
    pub async fn outbox_listener(&self) -> Result<Option<OutboxListener>, StoreError> {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(None);
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        listener
            .listen(OUTBOX_CHANNEL)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(Some(OutboxListener { listener }))
    }
}

/// Wakes a worker when new events commit (PostgreSQL `LISTEN`).
pub struct OutboxListener {
    listener: sea_orm::sqlx::postgres::PgListener,
}

impl OutboxListener {
    /// Waits for a notification. An error means the connection dropped; sqlx reconnects
    /// on the next call, and the worker's polling covers the gap.
    pub async fn notified(&mut self) -> Result<(), StoreError> {
        self.listener
            .recv()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))
    }
}

/// An update of rows `worker` still holds a lease on.
fn leased_by(worker: &str, ids: &[Uuid]) -> sea_orm::UpdateMany<ticket_events::Entity> {
    ticket_events::Entity::update_many()
        .filter(ticket_events::Column::Id.is_in(ids.iter().copied()))
        .filter(ticket_events::Column::LockedBy.eq(worker))
        .filter(ticket_events::Column::Delivery.eq(Delivery::Sending.code()))
}

fn null_time() -> Expr {
    Expr::value(Option::<DateTime<Utc>>::None)
}

fn null_text() -> Expr {
    Expr::value(Option::<String>::None)
}

fn payload_str<'a>(event: &'a ticket_events::Model, key: &str) -> Option<&'a str> {
    event.payload.get(key)?.as_str()
}

fn lease_delta(lease: Duration) -> chrono::Duration {
    chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX)
}
