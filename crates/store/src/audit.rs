//! The audit of looks at personal data. Rows are only ever inserted: the database's own
//! triggers refuse an UPDATE or DELETE of them (migration 000007).

use certdesk_domain::TicketNumber;
use certdesk_domain::audit::LookKind;
use certdesk_domain::lifecycle::Capacity;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::decode::{decode, decode_opt};
use crate::entities::audit_log;
use crate::records::HistoryActor;
use crate::{Store, StoreError};

/// One look, as the request that made it knows it.
#[derive(Debug, Clone)]
pub struct NewLook {
    pub kind: LookKind,
    pub actor: HistoryActor,
    pub ticket: Option<TicketNumber>,
    /// What was looked at, by its code (an attachment kind): never a value.
    pub detail: Option<&'static str>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// One row of the audit.
#[derive(Debug, Clone)]
pub struct LookRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub capacity: Capacity,
    pub kind: LookKind,
    pub ticket: Option<TicketNumber>,
    pub detail: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// Which rows of the audit, oldest first, after the row `after`.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub ticket: Option<TicketNumber>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// The last row of the previous page, in `order`.
    pub after: Option<i64>,
    pub limit: u64,
    pub order: AuditOrder,
}

/// Which end of the audit a page starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditOrder {
    /// As the API pages it: a reader follows the audit as it grows.
    #[default]
    OldestFirst,
    /// As a supervisor looks at it: what just happened first.
    NewestFirst,
}

pub(crate) async fn write_look(
    db: &impl ConnectionTrait,
    look: &NewLook,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    audit_log::ActiveModel {
        id: NotSet,
        at: Set(at),
        actor: Set(look.actor.id.clone()),
        capacity: Set(look.actor.capacity.code().to_owned()),
        kind: Set(look.kind.code().to_owned()),
        ticket: Set(look.ticket.map(|number| number.to_string())),
        detail: Set(look.detail.map(str::to_owned)),
        client_ip: Set(look.client_ip.clone()),
        request_id: Set(look.request_id.clone()),
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Store {
    /// Records one look on its own (a refused one, or a NIK shown).
    pub async fn record_look(&self, look: &NewLook, at: DateTime<Utc>) -> Result<(), StoreError> {
        write_look(&self.db, look, at).await
    }

    /// A page of the audit, in the filter's order.
    pub async fn audit_page(&self, filter: &AuditFilter) -> Result<Vec<LookRecord>, StoreError> {
        let mut query = audit_log::Entity::find();
        if let Some(ticket) = filter.ticket {
            query = query.filter(audit_log::Column::Ticket.eq(ticket.to_string()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(audit_log::Column::Actor.eq(actor.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_log::Column::At.gte(from));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_log::Column::At.lt(until));
        }
        query = match (filter.order, filter.after) {
            (AuditOrder::OldestFirst, Some(after)) => query.filter(audit_log::Column::Id.gt(after)),
            (AuditOrder::NewestFirst, Some(after)) => query.filter(audit_log::Column::Id.lt(after)),
            (_, None) => query,
        };
        query = match filter.order {
            AuditOrder::OldestFirst => query.order_by_asc(audit_log::Column::Id),
            AuditOrder::NewestFirst => query.order_by_desc(audit_log::Column::Id),
        };
        let rows = query.limit(filter.limit).all(&self.db).await?;
        rows.into_iter()
            .map(|row| {
                Ok(LookRecord {
                    id: row.id,
                    at: row.at,
                    capacity: decode("capacity", &row.capacity, Capacity::from_code)?,
                    kind: decode("audit kind", &row.kind, LookKind::from_code)?,
                    ticket: decode_opt("ticket number", row.ticket.as_deref(), |raw| {
                        raw.parse().ok()
                    })?,
                    actor: row.actor,
                    detail: row.detail,
                    client_ip: row.client_ip,
                    request_id: row.request_id,
                })
            })
            .collect()
    }
}
