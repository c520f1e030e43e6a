//! A ticket's service-level clocks, kept in the transaction that changes the ticket: read,
//! brought in step by the domain (`ServiceLevels::follow`), written back with what a
//! queue needs of them on the ticket's row, and each change an internal history entry.

use certdesk_domain::lifecycle::{Capacity, HistoryKind, Status, Visibility};
use certdesk_domain::service_level::{
    Clock, ClockChange, ClockKind, Pause, Phase, ServiceLevels, ServiceLine, TicketClocks,
};
use certdesk_domain::{ChangeKind, Service};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::StoreError;
use crate::decode::decode;
use crate::entities::{ticket_clocks, tickets};
use crate::history::{HistoryEntry, write_history};
use crate::records::HistoryActor;

/// What a ticket is, as its clocks see it.
pub(crate) struct Measured {
    pub ticket_id: i64,
    pub line: ServiceLine,
    pub status: Status,
}

impl Measured {
    pub fn of(
        ticket_id: i64,
        service: Service,
        subtype: Option<ChangeKind>,
        status: Status,
    ) -> Result<Self, StoreError> {
        let line = ServiceLine::of(service, subtype).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "ticket {ticket_id}: a 15.2 ticket without its sub-type"
            ))
        })?;
        Ok(Self {
            ticket_id,
            line,
            status,
        })
    }
}

/// The end of time, where a queue sorted by due places a ticket none of whose clocks
/// runs (migration 19 writes the same instant).
pub(crate) fn nothing_due() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default()
}

/// Whether `actor`'s act is the desk's: RA staff, not the requester, the officer or
/// the desk's own rules.
pub(crate) fn desk_acts(actor: &HistoryActor) -> bool {
    matches!(actor.capacity, Capacity::Agent | Capacity::Supervisor)
}

/// Brings the ticket's clocks in step with its state at `now`, in `txn`.
pub(crate) async fn follow(
    txn: &DatabaseTransaction,
    levels: &ServiceLevels,
    ticket: &Measured,
    desk_acted: bool,
    actor: &HistoryActor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut clocks = read(txn, ticket.ticket_id).await?;
    let changes = levels.follow(&mut clocks, ticket.line, ticket.status, desk_acted, now);
    if changes.is_empty() {
        return Ok(());
    }
    write(txn, levels, ticket.ticket_id, &clocks).await?;
    for change in changes {
        if let Some(detail) = history_detail(change) {
            write_history(
                txn,
                ticket.ticket_id,
                actor,
                HistoryEntry {
                    kind: HistoryKind::ServiceLevel,
                    from: None,
                    to: None,
                    reason: None,
                    visibility: Visibility::Internal,
                    detail: Some(detail),
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// What a change records in the history; a clock starting is said by the filing or the
/// endorsement itself.
fn history_detail(change: ClockChange) -> Option<serde_json::Value> {
    Some(match change {
        ClockChange::Started(_) => return None,
        ClockChange::Paused(kind, why) => {
            serde_json::json!({ "clock": kind.code(), "change": "paused", "pause": why.code() })
        }
        ClockChange::Resumed(kind) => {
            serde_json::json!({ "clock": kind.code(), "change": "resumed" })
        }
        ClockChange::Stopped(kind, standing) => {
            serde_json::json!({ "clock": kind.code(), "change": "stopped", "standing": standing.code() })
        }
    })
}

/// A ticket's clocks as stored.
pub(crate) async fn read(
    db: &impl ConnectionTrait,
    ticket_id: i64,
) -> Result<TicketClocks, StoreError> {
    let rows = ticket_clocks::Entity::find()
        .filter(ticket_clocks::Column::TicketId.eq(ticket_id))
        .all(db)
        .await?;
    let mut clocks = TicketClocks::default();
    for row in rows {
        let clock = clock_of(row)?;
        let slot = match clock.kind {
            ClockKind::Endorsement => &mut clocks.endorsement,
            ClockKind::FirstResponse => &mut clocks.first_response,
            ClockKind::Resolution => &mut clocks.resolution,
        };
        *slot = Some(clock);
    }
    Ok(clocks)
}

fn clock_of(row: ticket_clocks::Model) -> Result<Clock, StoreError> {
    let phase = match row.phase.as_str() {
        "running" => Phase::Running {
            since: row.phase_since,
        },
        "paused" => Phase::Paused {
            since: row.phase_since,
            why: decode(
                "pause",
                row.pause.as_deref().unwrap_or_default(),
                Pause::from_code,
            )?,
        },
        "stopped" => Phase::Stopped {
            at: row.phase_since,
        },
        _ => {
            return Err(StoreError::Corrupt(
                "a stored clock phase does not read back".into(),
            ));
        }
    };
    Ok(Clock {
        kind: decode("clock", &row.kind, ClockKind::from_code)?,
        target: Duration::seconds(row.target_secs),
        used: Duration::seconds(row.used_secs),
        phase,
        breached_at: row.breached_at,
    })
}

/// A clock as its row is written.
fn row(levels: &ServiceLevels, ticket_id: i64, clock: &Clock) -> ticket_clocks::ActiveModel {
    let (phase, since, pause) = match clock.phase {
        Phase::Running { since } => ("running", since, None),
        Phase::Paused { since, why } => ("paused", since, Some(why.code().to_owned())),
        Phase::Stopped { at } => ("stopped", at, None),
    };
    ticket_clocks::ActiveModel {
        ticket_id: Set(ticket_id),
        kind: Set(clock.kind.code().to_owned()),
        target_secs: Set(clock.target.num_seconds()),
        used_secs: Set(clock.used.num_seconds()),
        phase: Set(phase.to_owned()),
        phase_since: Set(micros(since)),
        pause: Set(pause),
        due_at: Set(levels.due(clock).map(micros)),
        at_risk_at: Set(levels.at_risk_from(clock).map(micros)),
        breached_at: Set(clock.breached_at.map(micros)),
    }
}

/// An instant as PostgreSQL keeps it and a page cursor carries it: to the microsecond.
/// (SQLite would keep nanoseconds, and a cursor cut to microseconds would then sort
/// before the very row it came from.)
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}

/// What the ticket's row keeps of its clocks, as written.
pub(crate) struct RowInstants {
    pub due_at: Option<DateTime<Utc>>,
    pub at_risk_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
    pub sort_at: DateTime<Utc>,
}

pub(crate) fn row_instants(levels: &ServiceLevels, clocks: &TicketClocks) -> RowInstants {
    let summary = levels.summary(clocks);
    RowInstants {
        due_at: summary.due_at.map(micros),
        at_risk_at: summary.at_risk_at.map(micros),
        breached_at: summary.breached_at.map(micros),
        sort_at: summary.due_at.map_or_else(nothing_due, micros),
    }
}

/// The clocks a ticket starts with when it is filed, with nothing to read: what they
/// come to goes into the ticket's row as it is inserted ([`row_instants`]), and the
/// clocks themselves in one statement after it ([`insert_started`]).
pub(crate) fn started(
    levels: &ServiceLevels,
    line: ServiceLine,
    status: Status,
    now: DateTime<Utc>,
) -> TicketClocks {
    let mut clocks = TicketClocks::default();
    levels.follow(&mut clocks, line, status, false, now);
    clocks
}

pub(crate) async fn insert_started(
    txn: &DatabaseTransaction,
    levels: &ServiceLevels,
    ticket_id: i64,
    clocks: &TicketClocks,
) -> Result<(), StoreError> {
    let rows: Vec<_> = clocks
        .iter()
        .map(|clock| row(levels, ticket_id, clock))
        .collect();
    if !rows.is_empty() {
        ticket_clocks::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Writes the clocks, and on the ticket's row the instants a queue filters and sorts by.
async fn write(
    txn: &DatabaseTransaction,
    levels: &ServiceLevels,
    ticket_id: i64,
    clocks: &TicketClocks,
) -> Result<(), StoreError> {
    for clock in clocks.iter() {
        ticket_clocks::Entity::insert(row(levels, ticket_id, clock))
            .on_conflict(
                OnConflict::columns([ticket_clocks::Column::TicketId, ticket_clocks::Column::Kind])
                    .update_columns([
                        ticket_clocks::Column::UsedSecs,
                        ticket_clocks::Column::Phase,
                        ticket_clocks::Column::PhaseSince,
                        ticket_clocks::Column::Pause,
                        ticket_clocks::Column::DueAt,
                        ticket_clocks::Column::AtRiskAt,
                        ticket_clocks::Column::BreachedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    let instants = row_instants(levels, clocks);
    tickets::Entity::update_many()
        .col_expr(tickets::Column::SlaDueAt, instants.due_at.into())
        .col_expr(tickets::Column::SlaAtRiskAt, instants.at_risk_at.into())
        .col_expr(tickets::Column::SlaSortAt, Some(instants.sort_at).into())
        .col_expr(
            tickets::Column::SlaBreachedAt,
            // Once breached, always: the first instant is kept.
            Func::coalesce([
                Expr::col(tickets::Column::SlaBreachedAt),
                Expr::value(instants.breached_at),
            ])
            .into(),
        )
        .filter(tickets::Column::Id.eq(ticket_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Tickets re-timed per transaction.
const RETIME_BATCH: u64 = 500;

impl crate::Store {
    /// Puts every running clock's due and at-risk instants, and those its ticket's row
    /// keeps for the queues, where the service levels in force put them. Run at start:
    /// a changed calendar or at-risk share then orders every queue at once, not only the
    /// tickets that change next. Targets are not touched (a clock keeps the target it
    /// started with). Returns how many tickets were re-timed.
    pub async fn retime_clocks(&self, levels: &ServiceLevels) -> Result<u64, StoreError> {
        use sea_orm::{QueryOrder, QuerySelect};
        let mut after = 0i64;
        let mut retimed = 0u64;
        loop {
            let ids: Vec<i64> = ticket_clocks::Entity::find()
                .select_only()
                .column(ticket_clocks::Column::TicketId)
                .distinct()
                .filter(ticket_clocks::Column::Phase.eq("running"))
                .filter(ticket_clocks::Column::TicketId.gt(after))
                .order_by_asc(ticket_clocks::Column::TicketId)
                .limit(RETIME_BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            let Some(&last) = ids.last() else {
                break;
            };
            let txn = self.begin_write().await?;
            for &id in &ids {
                let clocks = read(&txn, id).await?;
                write(&txn, levels, id, &clocks).await?;
            }
            txn.commit().await?;
            retimed += ids.len() as u64;
            after = last;
        }
        Ok(retimed)
    }
}
