//! A ticket's history: who did what, when, in which capacity, seen by whom. Entries are
//! written by the transactions that change tickets, never on their own.

use certdesk_domain::TicketNumber;
use certdesk_domain::lifecycle::{Capacity, HistoryKind, Status, Visibility};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::decode::{decode, decode_opt};
use crate::entities::ticket_history;
use crate::records::{HistoryActor, HistoryRecord};
use crate::{Store, StoreError};

pub(crate) struct HistoryEntry<'a> {
    pub kind: HistoryKind,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<&'a str>,
    pub visibility: Visibility,
    pub detail: Option<serde_json::Value>,
}

pub(crate) async fn write_history(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    actor: &HistoryActor,
    entry: HistoryEntry<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    ticket_history::ActiveModel {
        id: NotSet,
        ticket_id: Set(ticket_id),
        at: Set(at),
        actor_nip: Set(actor.id.clone()),
        actor_role: Set(actor.capacity.code().to_owned()),
        kind: Set(entry.kind.code().to_owned()),
        from_status: Set(entry.from.map(|s| s.code().to_owned())),
        to_status: Set(entry.to.map(|s| s.code().to_owned())),
        reason: Set(entry.reason.map(str::to_owned)),
        visibility: Set(entry.visibility.code().to_owned()),
        detail: Set(entry.detail),
    }
    .insert(txn)
    .await?;
    Ok(())
}

impl Store {
    /// The ticket's history, oldest first; internal entries only when asked for.
    pub async fn history(
        &self,
        number: TicketNumber,
        include_internal: bool,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let mut query = ticket_history::Entity::find()
            .filter(ticket_history::Column::TicketId.eq(number.sequence()))
            .order_by_asc(ticket_history::Column::Id);
        if !include_internal {
            query = query.filter(ticket_history::Column::Visibility.eq(Visibility::Public.code()));
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|h| {
                Ok(HistoryRecord {
                    at: h.at,
                    capacity: decode("capacity", &h.actor_role, Capacity::from_code)?,
                    kind: decode("history kind", &h.kind, HistoryKind::from_code)?,
                    from_status: decode_opt("status", h.from_status.as_deref(), Status::from_code)?,
                    to_status: decode_opt("status", h.to_status.as_deref(), Status::from_code)?,
                    visibility: decode("visibility", &h.visibility, Visibility::from_code)?,
                    actor: h.actor_nip,
                    reason: h.reason,
                    detail: h.detail,
                })
            })
            .collect()
    }
}
