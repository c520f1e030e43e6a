//! The timer pass: the desk's clocks (the domain's `deadlines`) applied to what is due.
//! Each kind of deadline is taken in batches: one statement claims a batch (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two workers take different tickets) and
//! marks it done, and the reminders or closures follow in the same transaction. A
//! ticket is reminded or closed only by the worker whose update changed it, so however
//! many workers run, each reminder goes out once.

use certdesk_domain::lifecycle::{
    AuthorityLink, Capacity, DeadlineRules, HistoryKind, REOPEN_WINDOW_ENDED, RequesterStep,
    Status, TicketFacts, Visibility, closed_by_the_desk, endorsement_reminder, link_expired_notice,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::decode::{decode, nip, nip_opt};
use crate::entities::tickets;
use crate::history::{HistoryEntry, write_history};
use crate::outbox::enqueue;
use crate::records::HistoryActor;
use crate::{Store, StoreError};

/// Tickets claimed per statement: a large backlog is worked through in short
/// transactions that never hold many rows.
const BATCH: u64 = 500;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TimerReport {
    /// Assigned agents told that a requester's link expired unused.
    pub expired_links: u64,
    /// Officers reminded of an endorsement waiting too long.
    pub endorsement_reminders: u64,
    /// Resolved tickets closed when their reopen window ended.
    pub closed: u64,
}

/// The clocks a pass runs, one after another.
#[derive(Debug, Clone, Copy)]
enum Clock {
    ExpiredLink,
    OverdueEndorsement,
    ReopenWindow,
}

impl Store {
    /// Applies every deadline due at `now`.
    pub async fn run_timers(
        &self,
        rules: &DeadlineRules,
        now: DateTime<Utc>,
    ) -> Result<TimerReport, StoreError> {
        let mut report = TimerReport::default();
        for clock in [
            Clock::ExpiredLink,
            Clock::OverdueEndorsement,
            Clock::ReopenWindow,
        ] {
            loop {
                let done = self.run_batch(clock, rules, now).await?;
                match clock {
                    Clock::ExpiredLink => report.expired_links += done,
                    Clock::OverdueEndorsement => report.endorsement_reminders += done,
                    Clock::ReopenWindow => report.closed += done,
                }
                if done < BATCH {
                    break;
                }
            }
        }
        if report != TimerReport::default() {
            tracing::info!(
                expired_links = report.expired_links,
                endorsement_reminders = report.endorsement_reminders,
                closed = report.closed,
                "timer pass"
            );
        }
        Ok(report)
    }

    /// Claims one batch of `clock`'s due tickets and applies what follows, in one
    /// transaction; returns how many it handled.
    async fn run_batch(
        &self,
        clock: Clock,
        rules: &DeadlineRules,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut due = Query::select()
            .column(tickets::Column::Id)
            .from(tickets::Entity)
            .limit(BATCH)
            // Dropped by the SQLite query builder: there one writer at a time is the lock.
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let mut update = tickets::Entity::update_many();
        match clock {
            Clock::ExpiredLink => {
                let condition = tickets::Column::Status
                    .eq(Status::AwaitingRequesterAtAuthority.code())
                    .and(tickets::Column::LinkRemindedAt.is_null())
                    .and(tickets::Column::LinkExpiresAt.lte(now));
                due.and_where(condition.clone())
                    .order_by(tickets::Column::LinkExpiresAt, Order::Asc);
                update = update
                    .col_expr(tickets::Column::LinkRemindedAt, Expr::value(Some(now)))
                    .filter(condition);
            }
            Clock::OverdueEndorsement => {
                let condition = tickets::Column::Status
                    .eq(Status::AwaitingEndorsement.code())
                    .and(tickets::Column::CreatedAt.lte(rules.endorsement_overdue_before(now)))
                    .and(
                        tickets::Column::EndorsementRemindedAt
                            .is_null()
                            .or(tickets::Column::EndorsementRemindedAt
                                .lte(rules.endorsement_reminded_before(now))),
                    );
                due.and_where(condition.clone())
                    .order_by(tickets::Column::CreatedAt, Order::Asc);
                update = update
                    .col_expr(
                        tickets::Column::EndorsementRemindedAt,
                        Expr::value(Some(now)),
                    )
                    .filter(condition);
            }
            Clock::ReopenWindow => {
                let condition = tickets::Column::Status
                    .eq(Status::Resolved.code())
                    .and(tickets::Column::ResolvedAt.lte(rules.resolved_before(now)));
                due.and_where(condition.clone())
                    .order_by(tickets::Column::ResolvedAt, Order::Asc);
                update = update
                    .col_expr(tickets::Column::Status, Expr::value(Status::Closed.code()))
                    .col_expr(tickets::Column::EndedAt, Expr::value(Some(now)))
                    .col_expr(tickets::Column::UpdatedAt, Expr::value(now))
                    .col_expr(
                        tickets::Column::Version,
                        Expr::col(tickets::Column::Version).add(1),
                    )
                    .filter(condition);
            }
        }
        let txn = self.begin_write().await?;
        let claimed = update
            .filter(tickets::Column::Id.in_subquery(due))
            .exec_with_returning(&txn)
            .await?;
        let desk = HistoryActor {
            id: "desk".to_owned(),
            capacity: Capacity::Desk,
        };
        for ticket in &claimed {
            let facts = facts_of(ticket, clock)?;
            let notice = match clock {
                Clock::ExpiredLink => {
                    let link = AuthorityLink {
                        step: decode(
                            "link step",
                            ticket.link_step.as_deref().unwrap_or_default(),
                            RequesterStep::from_code,
                        )?,
                        sent_at: ticket.link_sent_at.unwrap_or(now),
                        expires_at: ticket.link_expires_at.unwrap_or(now),
                    };
                    link_expired_notice(&facts, &link)
                }
                Clock::OverdueEndorsement => endorsement_reminder(&facts, ticket.created_at),
                Clock::ReopenWindow => {
                    write_history(
                        &txn,
                        ticket.id,
                        &desk,
                        HistoryEntry {
                            kind: HistoryKind::Transition,
                            from: Some(Status::Resolved),
                            to: Some(Status::Closed),
                            reason: Some(REOPEN_WINDOW_ENDED),
                            visibility: Visibility::Public,
                            detail: Some(serde_json::json!({ "action": "close" })),
                        },
                        now,
                    )
                    .await?;
                    Some(closed_by_the_desk(&facts))
                }
            };
            if let Some(notice) = notice {
                enqueue(&txn, ticket.id, &notice, now).await?;
            }
        }
        txn.commit().await?;
        Ok(claimed.len() as u64)
    }
}

/// What the rules need of a claimed ticket. The update already changed a closed one's
/// status; the rules see it as it was.
fn facts_of(ticket: &tickets::Model, clock: Clock) -> Result<TicketFacts, StoreError> {
    let status = match clock {
        Clock::ReopenWindow => Status::Resolved,
        Clock::ExpiredLink | Clock::OverdueEndorsement => {
            decode("status", &ticket.status, Status::from_code)?
        }
    };
    Ok(TicketFacts {
        status,
        requester_nip: nip("requester NIP", &ticket.requester_nip)?,
        officer_nip: nip("officer NIP", &ticket.responsible_officer_nip)?,
        assignee_nip: nip_opt("assignee NIP", ticket.assignee_nip.as_deref())?,
        resolved_at: ticket.resolved_at,
    })
}
