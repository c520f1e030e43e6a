//! What operators see and do: dead letters and requeueing them, the numbers `/metrics`
//! and `certdesk outbox stats` show, and the PostgreSQL wake-up for idle workers.

use std::time::Duration;

use certdesk_domain::{EventKind, TicketNumber};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use super::{DeadLetter, Delivery, LATENCY_SAMPLE, OUTBOX_CHANNEL, OutboxStats, notice};
use crate::decode::decode;
use crate::entities::ticket_events;
use crate::{Store, StoreError};

impl Store {
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
                    recipient: notice(&e).ok().map(|n| n.recipient),
                    kind: decode("event kind", &e.kind, EventKind::from_code)?,
                    event_id: e.id,
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
