//! certdesk-worker: turns ticket events into status emails, and never loses one; and
//! runs the desk's timers (the deadlines, `[timers]`, and the retention pass, `[retention]`).
//!
//! Every change that concerns a person writes a `ticket_events` row in the transaction
//! of the change (the outbox). A worker leases due rows, commits, sends each message
//! over a pooled SMTP session (or into `.eml` files), then settles each row: sent,
//! retried later with backoff, or dead-lettered with the server's answer. Any number of
//! workers can run side by side on PostgreSQL; the store's lease protocol keeps them
//! from sending one message twice at the same time.
//!
//! The crate depends on the domain and the store only; the api crate never depends on
//! it, and the binary wires the two together.

pub mod compose;
pub mod heartbeat;
pub mod inbound;
mod mailer;
pub mod policy;
mod settings;
pub mod smtp;
mod streak;
pub mod template;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use certdesk_domain::DeskRules;
use certdesk_domain::lifecycle::DeadlineRules;
use certdesk_domain::retention::RetentionPolicy;
use certdesk_store::{Delivery, Leased, OutboxListener, Store, StoreError};
use chrono::Utc;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use streak::{FailureStreak, Report};

pub use compose::{Composer, Rendered};
pub use mailer::Mailer;
pub use policy::{RetryPolicy, Settlement};
pub use settings::{
    MailSettings, OutboxSettings, RetentionSchedule, SmtpSecurity, SmtpSettings, TimerSchedule,
    WorkerSettings,
};
pub use smtp::Handover;
pub use template::{Template, template_for};

/// Sent messages are recorded in groups of this size: fewer round trips, and at most
/// this many messages go out again (with their Message-IDs) if the worker dies.
const SENT_FLUSH: usize = 16;

/// One outbox consumer.
pub struct Worker {
    id: String,
    /// Failed deliveries are logged by the streak, not one line per attempt.
    failures: std::sync::Mutex<FailureStreak>,
    store: Store,
    composer: Composer,
    mailer: Mailer,
    outbox: OutboxSettings,
    policy: RetryPolicy,
    retention: RetentionPolicy,
    retention_interval: Option<Duration>,
    deadlines: DeadlineRules,
    timer_interval: Option<Duration>,
    heartbeat: Option<heartbeat::Heartbeat>,
    totals: Totals,
}

#[derive(Default)]
struct Totals {
    sent: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
    skipped: AtomicU64,
}

/// How one leased message ended this round.
enum Outcome {
    Settled(Settlement),
    /// Nobody to write to, or nothing to write about: recorded, not retried.
    Skipped(String),
    /// The worker is stopping; the message goes back unattempted.
    NotStarted,
}

impl Worker {
    pub fn new(store: Store, settings: &WorkerSettings, rules: &DeskRules) -> Result<Self, String> {
        let outbox = settings.outbox.clone();
        Ok(Self {
            failures: std::sync::Mutex::new(FailureStreak::default()),
            // Unique per process, so that one worker's lease is never taken for another's.
            id: format!("{}-{}", std::process::id(), Uuid::new_v4().simple()),
            store,
            composer: Composer::new(&settings.mail)?,
            mailer: Mailer::new(&settings.mail)?,
            policy: RetryPolicy {
                max_attempts: outbox.max_attempts.max(1),
                base: Duration::from_secs(outbox.backoff_base_secs),
                max: Duration::from_secs(outbox.backoff_max_secs),
            },
            outbox,
            retention: rules.retention,
            retention_interval: settings.retention.interval(),
            deadlines: rules.deadlines(),
            timer_interval: settings.timers.interval(),
            heartbeat: outbox_heartbeat(&settings.outbox),
            totals: Totals::default(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Delivers until `stop` is cancelled. Messages already handed to the relay are
    /// finished; leased ones not yet started are released for the next worker.
    pub async fn run(&self, stop: CancellationToken) {
        tracing::info!(
            worker = %self.id,
            via = %self.mailer.describe(),
            batch = self.outbox.batch_size,
            in_flight = self.mailer.parallelism(),
            "outbox worker started"
        );
        let rescue_every =
            (self.outbox.lease() / 4).clamp(Duration::from_secs(1), Duration::from_secs(30));
        let mut listener = None;
        let mut next_rescue = Instant::now();
        let mut next_summary = Instant::now() + Duration::from_secs(60);
        // The first retention pass shortly after start, not at once: a fleet restarted
        // together does not race through the same backlog.
        let mut next_retention = self
            .retention_interval
            .map(|every| Instant::now() + every.min(Duration::from_secs(60)));
        // Timers run from the start: a deadline that passed while every worker was down
        // is applied at once.
        let mut next_timers = self.timer_interval.map(|_| Instant::now());
        while !stop.is_cancelled() {
            if let (Some(due), Some(every)) = (next_timers, self.timer_interval)
                && Instant::now() >= due
            {
                if self.timer_pass().await.is_some() {
                    self.beat();
                }
                next_timers = Some(Instant::now() + every);
            }
            if let (Some(due), Some(every)) = (next_retention, self.retention_interval)
                && Instant::now() >= due
            {
                if self.retention_pass().await.is_some() {
                    self.beat();
                }
                next_retention = Some(Instant::now() + every);
            }
            if Instant::now() >= next_rescue {
                self.rescue().await;
                if listener.is_none() {
                    listener = self.listen().await;
                }
                next_rescue = Instant::now() + rescue_every;
            }
            if Instant::now() >= next_summary {
                self.log_summary();
                next_summary = Instant::now() + Duration::from_secs(60);
            }
            let round = self.round(&stop).await;
            if round.is_ok() {
                self.beat();
            }
            match round {
                Ok(0) => {}
                Ok(_) => continue,
                Err(error) => {
                    tracing::error!(worker = %self.id, %error, "outbox round failed; will retry")
                }
            }
            let nap = self
                .outbox
                .poll_interval()
                .min(next_rescue.saturating_duration_since(Instant::now()));
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(nap) => {}
                woken = notified(&mut listener) => {
                    if let Err(error) = woken {
                        tracing::warn!(%error, "lost the outbox notifications; polling until they are back");
                        listener = None;
                    }
                }
            }
        }
        self.mailer.close().await;
        self.log_summary();
        tracing::info!(worker = %self.id, "outbox worker stopped");
    }

    /// Each pass and round that reached the database says the loop is turning: a long
    /// retention pass followed by a full round is not taken for a stall.
    fn beat(&self) {
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat.beat();
        }
    }

    /// Delivers everything due now, then returns how many messages were settled. For
    /// `certdesk outbox flush` and for tests.
    pub async fn drain(&self) -> Result<u64, StoreError> {
        let never = CancellationToken::new();
        let mut total = 0;
        loop {
            let settled = self.round(&never).await?;
            if settled == 0 {
                return Ok(total);
            }
            total += settled as u64;
        }
    }

    /// Applies the deadlines due now (expired links, overdue endorsements, reopen
    /// windows that ended); a failure is logged and the next pass tries again.
    pub async fn timer_pass(&self) -> Option<certdesk_store::TimerReport> {
        match self.store.run_timers(&self.deadlines, Utc::now()).await {
            Ok(report) => Some(report),
            Err(error) => {
                tracing::error!(%error, "timer pass failed; the next one tries again");
                None
            }
        }
    }

    /// Purges what the retention rules say is due; a failure is logged and the next pass
    /// tries again.
    pub async fn retention_pass(&self) -> Option<certdesk_store::PurgeReport> {
        match self.store.purge_due(&self.retention, Utc::now()).await {
            Ok(report) => Some(report),
            Err(error) => {
                tracing::error!(%error, "retention pass failed; the next one tries again");
                None
            }
        }
    }

    async fn listen(&self) -> Option<OutboxListener> {
        match self.store.outbox_listener().await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot LISTEN for new events; polling instead");
                None
            }
        }
    }

    async fn rescue(&self) {
        match self
            .store
            .rescue_expired(Utc::now(), self.policy.max_attempts)
            .await
        {
            Ok((0, 0)) => {}
            Ok((returned, dead)) => tracing::warn!(
                returned,
                dead,
                "took back messages whose worker's lease ran out (a worker died or stalled)"
            ),
            Err(error) => tracing::error!(%error, "rescuing expired leases failed"),
        }
    }

    /// Leases one batch, sends it, and settles every message in it.
    async fn round(&self, stop: &CancellationToken) -> Result<usize, StoreError> {
        let batch = self
            .store
            .claim_outbox(
                &self.id,
                self.outbox.batch_size.max(1),
                self.outbox.lease(),
                Utc::now(),
            )
            .await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let started = Instant::now();
        let count = batch.len();
        let mut outcomes = futures_util::stream::iter(batch)
            .map(|leased| self.attempt(leased, stop))
            .buffer_unordered(self.mailer.parallelism());
        let mut sent = Vec::with_capacity(SENT_FLUSH);
        let mut unstarted = Vec::new();
        while let Some((id, outcome)) = outcomes.next().await {
            match outcome {
                Outcome::Settled(Settlement::Sent) => {
                    sent.push(id);
                    if sent.len() >= SENT_FLUSH {
                        self.record_sent(&mut sent).await?;
                    }
                }
                Outcome::Settled(Settlement::Retry {
                    delay,
                    error,
                    uncertain,
                }) => {
                    let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                    let kept = self
                        .store
                        .mark_retry(&self.id, id, at, &error, uncertain)
                        .await?;
                    self.totals.retried.fetch_add(1, Ordering::Relaxed);
                    warn_if_lost(kept, id);
                }
                Outcome::Settled(Settlement::Dead { reason }) => {
                    let kept = self
                        .store
                        .mark_final(&self.id, id, Delivery::Dead, &reason)
                        .await?;
                    self.totals.dead.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(event = %id, %reason, "message dead-lettered");
                    warn_if_lost(kept, id);
                }
                Outcome::Skipped(reason) => {
                    let kept = self
                        .store
                        .mark_final(&self.id, id, Delivery::Skipped, &reason)
                        .await?;
                    self.totals.skipped.fetch_add(1, Ordering::Relaxed);
                    warn_if_lost(kept, id);
                }
                Outcome::NotStarted => unstarted.push(id),
            }
        }
        self.record_sent(&mut sent).await?;
        if !unstarted.is_empty() {
            let released = self.store.release(&self.id, &unstarted).await?;
            tracing::info!(released, "stopping: handed back messages not yet attempted");
        }
        tracing::debug!(
            count,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "outbox round"
        );
        Ok(count)
    }

    async fn record_sent(&self, sent: &mut Vec<Uuid>) -> Result<(), StoreError> {
        if sent.is_empty() {
            return Ok(());
        }
        let recorded = self.store.mark_sent(&self.id, sent, Utc::now()).await?;
        self.totals
            .sent
            .fetch_add(sent.len() as u64, Ordering::Relaxed);
        if recorded < sent.len() as u64 {
            tracing::warn!(
                sent = sent.len(),
                recorded,
                "some sent messages had lost their lease; another worker may send them again (same Message-ID)"
            );
        }
        sent.clear();
        Ok(())
    }

    async fn attempt(&self, leased: Leased, stop: &CancellationToken) -> (Uuid, Outcome) {
        let message = match leased {
            Leased::Message(message) => message,
            // Neither retrying nor requeueing makes an event this version cannot read any
            // more readable: it is recorded, with the reason, and left.
            Leased::Unreadable { event_id, reason } => {
                tracing::error!(event = %event_id, %reason, "an outbox event does not read back; skipped");
                return (event_id, Outcome::Skipped(reason));
            }
        };
        let id = message.event_id;
        if stop.is_cancelled() {
            return (id, Outcome::NotStarted);
        }
        let (kind, recipient) = (message.notice.event.kind(), message.notice.recipient);
        if template_for(kind, recipient).is_none() {
            return (
                id,
                Outcome::Skipped(format!(
                    "no email is written to the {} about {}",
                    recipient.code(),
                    kind.code()
                )),
            );
        }
        let Some(address) = message.address.as_deref() else {
            return (
                id,
                Outcome::Skipped(format!(
                    "no email address on file for the {} (add their NIP to the officers' directory)",
                    recipient.code()
                )),
            );
        };
        let email = match self.composer.compose(&message, address) {
            Ok(email) => email,
            Err(error) => {
                return (
                    id,
                    Outcome::Settled(Settlement::Dead {
                        reason: error.to_string(),
                    }),
                );
            }
        };
        let file_name = format!(
            "{}-{}-{}.eml",
            message.created_at.format("%Y%m%dT%H%M%S%.6fZ"),
            message.ticket,
            id.simple()
        );
        let handover = self
            .mailer
            .send(email.envelope(), &email.formatted(), &file_name)
            .await;
        self.log_streak(&handover, id);
        let jitter = 0.5 + fastrand::f64();
        (
            id,
            Outcome::Settled(self.policy.settle(
                handover,
                message.attempt,
                message.uncertain,
                jitter,
            )),
        )
    }

    /// Logs a failure streak when it starts, once a minute while it lasts, and when it
    /// ends; each attempt's own error is kept on its row (`last_error`).
    fn log_streak(&self, handover: &Handover, event: Uuid) {
        let now = Instant::now();
        let mut streak = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let report = match handover {
            Handover::Accepted => streak.succeeded(now),
            Handover::Refused { .. } | Handover::Broken { .. } => streak.failed(now),
        };
        drop(streak);
        match report {
            Report::Started => tracing::warn!(
                %event,
                outcome = ?handover,
                "delivery failed; further failures are counted, not logged one by one, until one succeeds"
            ),
            Report::Continuing { failures, lasted } => tracing::warn!(
                failures,
                lasted_secs = lasted.as_secs(),
                latest = ?handover,
                "deliveries still failing"
            ),
            Report::Ended { failures, lasted } => tracing::info!(
                failures,
                lasted_secs = lasted.as_secs(),
                "deliveries succeed again"
            ),
            Report::Quiet => {}
        }
    }

    fn log_summary(&self) {
        let take = |counter: &AtomicU64| counter.swap(0, Ordering::Relaxed);
        let (sent, retried, dead, skipped) = (
            take(&self.totals.sent),
            take(&self.totals.retried),
            take(&self.totals.dead),
            take(&self.totals.skipped),
        );
        if sent + retried + dead + skipped > 0 {
            tracing::info!(
                sent,
                retried,
                dead,
                skipped,
                "outbox since the last summary"
            );
        }
    }
}

async fn notified(listener: &mut Option<OutboxListener>) -> Result<(), StoreError> {
    match listener {
        Some(listener) => listener.notified().await,
        None => std::future::pending().await,
    }
}

fn warn_if_lost(kept: bool, id: Uuid) {
    if !kept {
        tracing::warn!(event = %id, "the lease on this message had run out; left it to its new owner");
    }
}

fn outbox_heartbeat(settings: &OutboxSettings) -> Option<heartbeat::Heartbeat> {
    settings
        .heartbeat_file
        .clone()
        .map(heartbeat::Heartbeat::new)
}
