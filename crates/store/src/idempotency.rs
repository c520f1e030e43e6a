//! Idempotency keys of `POST /api/v1/tickets`: the response a key was first answered
//! with, kept until it expires.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};

use crate::entities::idempotency_keys;
use crate::error::is_unique_violation;
use crate::records::{CreatedTicket, Idempotency, RememberedResponse};
use crate::{Store, StoreError};

impl Store {
    /// The response remembered under `key` for `principal`, unless it has expired.
    pub async fn remembered_response(
        &self,
        principal: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RememberedResponse>, StoreError> {
        let row = idempotency_keys::Entity::find_by_id((principal.to_owned(), key.to_owned()))
            .filter(idempotency_keys::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?;
        Ok(row.map(|row| RememberedResponse {
            fingerprint: row.fingerprint,
            ticket_number: row.ticket_number,
            body: row.response_body,
        }))
    }

    /// Deletes up to `limit` expired keys; returns how many went. Bounded so that a
    /// backlog is worked off in small transactions.
    pub async fn forget_expired_idempotency_keys(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, StoreError> {
        let expired: Vec<(String, String)> = idempotency_keys::Entity::find()
            .select_only()
            .column(idempotency_keys::Column::Principal)
            .column(idempotency_keys::Column::Key)
            .filter(idempotency_keys::Column::ExpiresAt.lte(now))
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut deleted = 0;
        for (principal, key) in expired {
            deleted += idempotency_keys::Entity::delete_many()
                .filter(idempotency_keys::Column::Principal.eq(principal))
                .filter(idempotency_keys::Column::Key.eq(key))
                .filter(idempotency_keys::Column::ExpiresAt.lte(now))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
        Ok(deleted)
    }
}

/// Takes the key inside the ticket's transaction. An expired row under the same key is
/// replaced; a live one means another request holds the key.
pub(crate) async fn claim(
    txn: &DatabaseTransaction,
    claim: &Idempotency<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::Principal.eq(claim.principal))
        .filter(idempotency_keys::Column::Key.eq(claim.key))
        .filter(idempotency_keys::Column::ExpiresAt.lte(now))
        .exec(txn)
        .await?;
    let inserted = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
        principal: Set(claim.principal.to_owned()),
        key: Set(claim.key.to_owned()),
        fingerprint: Set(claim.fingerprint.to_owned()),
        // Filled in by `remember` before the transaction commits.
        ticket_number: Set(String::new()),
        response_body: Set(String::new()),
        created_at: Set(now),
        expires_at: Set(claim.expires_at),
    })
    .exec_without_returning(txn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StoreError::IdempotencyKeyTaken),
        Err(e) => Err(e.into()),
    }
}

/// Stores the response the key will replay.
pub(crate) async fn remember(
    txn: &DatabaseTransaction,
    claim: Idempotency<'_>,
    created: &CreatedTicket,
) -> Result<(), StoreError> {
    let principal = claim.principal.to_owned();
    let key = claim.key.to_owned();
    let body = (claim.respond)(created);
    idempotency_keys::Entity::update_many()
        .col_expr(
            idempotency_keys::Column::TicketNumber,
            sea_orm::sea_query::Expr::value(created.number.to_string()),
        )
        .col_expr(
            idempotency_keys::Column::ResponseBody,
            sea_orm::sea_query::Expr::value(body),
        )
        .filter(idempotency_keys::Column::Principal.eq(principal))
        .filter(idempotency_keys::Column::Key.eq(key))
        .exec(txn)
        .await?;
    Ok(())
}
