//! Lists of tickets: keyset pages ordered by age (`created_at`, then number) or by what
//! falls due first (`sla_sort_at`, then number), never OFFSET, so that page 10,000 costs
//! what page 1 costs.

use certdesk_domain::lifecycle::Status;
use certdesk_domain::routing::QueueName;
use certdesk_domain::service_level::ClocksSummary;
use certdesk_domain::{CertificateStatus, ChangeKind, Service, TicketNumber};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use crate::decode::{decode, decode_opt, nip, nip_opt};
use crate::entities::tickets;
use crate::records::{PageCursor, SlaFilter, TicketFilter, TicketOrder, TicketSummary};
use crate::{Store, StoreError};

/// The most tickets one page may hold.
pub const MAX_PAGE_SIZE: u64 = 200;

impl Store {
    /// One page of tickets matching `filter`, oldest first, starting after `after`.
    /// Returns the page and the cursor of the next one, if there are more.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        after: Option<PageCursor>,
        limit: u64,
    ) -> Result<(Vec<TicketSummary>, Option<PageCursor>), StoreError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let mut condition = Condition::all();
        if let Some(queue) = &filter.queue {
            condition = condition.add(tickets::Column::Queue.eq(queue.as_str()));
        }
        if !filter.statuses.is_empty() {
            condition = condition
                .add(tickets::Column::Status.is_in(filter.statuses.iter().map(|s| s.code())));
        }
        for (column, value) in [
            (tickets::Column::Service, filter.service.map(Service::code)),
            (
                tickets::Column::Subtype,
                filter.subtype.map(ChangeKind::code),
            ),
            (
                tickets::Column::RequesterUnit,
                filter.unit.as_ref().map(|u| u.as_str()),
            ),
            (
                tickets::Column::RequesterNip,
                filter.requester_nip.as_ref().map(|n| n.as_str()),
            ),
            (
                tickets::Column::ResponsibleOfficerNip,
                filter.officer_nip.as_ref().map(|n| n.as_str()),
            ),
            (
                tickets::Column::AssigneeNip,
                filter.assignee_nip.as_ref().map(|n| n.as_str()),
            ),
            (
                tickets::Column::AuthorityStatus,
                filter.authority_status.map(CertificateStatus::code),
            ),
        ] {
            if let Some(value) = value {
                condition = condition.add(column.eq(value));
            }
        }
        if let Some(before) = filter.created_before {
            condition = condition.add(tickets::Column::CreatedAt.lt(before));
        }
        if let Some(after) = filter.created_after {
            condition = condition.add(tickets::Column::CreatedAt.gt(after));
        }
        if let Some(text) = &filter.text {
            // LIKE wildcards in the search text are taken literally.
            let escaped = text
                .as_str()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            condition = condition.add(
                Expr::expr(Func::lower(Expr::col(tickets::Column::Description)))
                    .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
        }
        match filter.sla {
            Some(SlaFilter::Breached { at }) => {
                condition = condition.add(
                    Condition::any()
                        .add(tickets::Column::SlaBreachedAt.is_not_null())
                        .add(tickets::Column::SlaDueAt.lt(at)),
                );
            }
            Some(SlaFilter::AtRisk { at }) => {
                condition = condition
                    .add(tickets::Column::SlaBreachedAt.is_null())
                    .add(tickets::Column::SlaAtRiskAt.lte(at))
                    .add(
                        Condition::any()
                            .add(tickets::Column::SlaDueAt.is_null())
                            .add(tickets::Column::SlaDueAt.gte(at)),
                    );
            }
            None => {}
        }
        let key = match filter.order {
            TicketOrder::Age => tickets::Column::CreatedAt,
            TicketOrder::Due => tickets::Column::SlaSortAt,
        };
        if let Some(cursor) = after {
            if cursor.order != filter.order {
                return Err(StoreError::CursorOfAnotherOrder);
            }
            // A row-value comparison, which both backends turn into an index seek (an
            // equivalent `a > x OR (a = x AND b > y)` is not, and walks the skipped rows).
            condition = condition.add(
                Expr::tuple([Expr::col(key), Expr::col(tickets::Column::Id)]).gt(Expr::tuple([
                    Expr::value(cursor.at),
                    Expr::value(cursor.number.sequence()),
                ])),
            );
        }
        let mut rows = tickets::Entity::find()
            .filter(condition)
            .order_by_asc(key)
            .order_by_asc(tickets::Column::Id)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let page = rows
            .into_iter()
            .map(summary)
            .collect::<Result<Vec<_>, _>>()?;
        let next = more
            .then(|| {
                page.last().map(|t| PageCursor {
                    order: filter.order,
                    at: match filter.order {
                        TicketOrder::Age => t.created_at,
                        TicketOrder::Due => t.sort_at,
                    },
                    number: t.number,
                })
            })
            .flatten();
        Ok((page, next))
    }

    /// Each queue holding open tickets, with how many, by name. Read from the counts the
    /// database keeps as tickets change (migration 15), not by counting tickets.
    pub async fn queue_counts(&self) -> Result<Vec<(QueueName, i64)>, StoreError> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT queue, CAST(SUM(open_tickets) AS BIGINT) AS open_tickets \
                 FROM queue_open_counts GROUP BY queue HAVING SUM(open_tickets) > 0 \
                 ORDER BY queue",
            ))
            .await?;
        rows.into_iter()
            .map(|row| {
                let queue: String = row.try_get("", "queue")?;
                Ok((
                    decode("queue", &queue, |q| QueueName::parse(q).ok())?,
                    row.try_get("", "open_tickets")?,
                ))
            })
            .collect()
    }
}

fn summary(t: tickets::Model) -> Result<TicketSummary, StoreError> {
    Ok(TicketSummary {
        number: TicketNumber::from_sequence(t.id)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        service: decode("service", &t.service, Service::from_code)?,
        subtype: decode_opt("sub-type", t.subtype.as_deref(), ChangeKind::from_code)?,
        status: decode("status", &t.status, Status::from_code)?,
        queue: decode("queue", &t.queue, |q| QueueName::parse(q).ok())?,
        requester_nip: nip("requester NIP", &t.requester_nip)?,
        requester_unit: t.requester_unit,
        responsible_officer_nip: nip("officer NIP", &t.responsible_officer_nip)?,
        assignee_nip: nip_opt("assignee NIP", t.assignee_nip.as_deref())?,
        created_at: t.created_at,
        updated_at: t.updated_at,
        authority_status: decode_opt(
            "authority status",
            t.authority_status.as_deref(),
            CertificateStatus::from_code,
        )?,
        link_expires_at: t.link_expires_at,
        endorsement_reminded_at: t.endorsement_reminded_at,
        clocks: ClocksSummary {
            due_at: t.sla_due_at,
            at_risk_at: t.sla_at_risk_at,
            breached_at: t.sla_breached_at,
        },
        sort_at: t.sla_sort_at.unwrap_or_else(crate::clocks::nothing_due),
    })
}
