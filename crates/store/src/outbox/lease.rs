//! Leasing rows to workers and settling them. Every statement that settles a row is
//! guarded by `locked_by = me AND delivery = 'sending'`, so a worker whose lease ran out
//! cannot overwrite what the row's new owner did.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, Order, QueryFilter};
use uuid::Uuid;

use super::{Delivery, Leased};
use crate::entities::ticket_events;
use crate::{Store, StoreError};

impl Store {
    /// Leases up to `limit` due events to `worker` for `lease`, and loads what their
    /// emails need. Each lease counts as an attempt.
    pub async fn claim_outbox(
        &self,
        worker: &str,
        limit: u64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Leased>, StoreError> {
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

fn lease_delta(lease: Duration) -> chrono::Duration {
    chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX)
}
