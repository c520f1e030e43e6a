//! Auto-replies to people who emailed the desk, within a budget per sender and hour: a
//! person is told a few times what went wrong, and a machine that answers every message
//! (a misconfigured one, without `Auto-Submitted`) cannot keep a loop going.

use certdesk_domain::Notice;
use certdesk_domain::TicketNumber;
use certdesk_domain::inbound::normalised_address;
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, EntityTrait, QuerySelect};
use sha2::{Digest, Sha256};

use crate::entities::auto_reply_budget;
use crate::outbox::enqueue;
use crate::{Store, StoreError};

/// The window a sender's budget counts in.
const WINDOW: Duration = Duration::hours(1);

impl Store {
    /// Puts `notice` (an auto-reply on ticket `number`) in the outbox for `sender`,
    /// unless they have had `per_hour` already in their current hour. Answers whether it
    /// was queued. Concurrent deliveries from one sender take turns on its budget row.
    pub async fn auto_reply(
        &self,
        number: TicketNumber,
        notice: &Notice,
        sender: &str,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // A digest, not the address: the table says how often, not who.
        let key = hex::encode(Sha256::digest(normalised_address(sender)));
        let txn = self.begin_write().await?;
        auto_reply_budget::Entity::insert(auto_reply_budget::ActiveModel {
            sender_key: Set(key.clone()),
            window_start: Set(now),
            sent: Set(0),
        })
        .on_conflict(
            OnConflict::column(auto_reply_budget::Column::SenderKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        // FOR UPDATE on PostgreSQL; on SQLite the write transaction is the lock.
        let budget = auto_reply_budget::Entity::find_by_id(key)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the auto-reply budget row vanished".into()))?;
        let (window_start, sent) = if now - budget.window_start >= WINDOW {
            (now, 0)
        } else {
            (budget.window_start, budget.sent)
        };
        if u32::try_from(sent).unwrap_or(u32::MAX) >= per_hour {
            return Ok(false);
        }
        let mut budget: auto_reply_budget::ActiveModel = budget.into();
        budget.window_start = Set(window_start);
        budget.sent = Set(sent + 1);
        budget.update(&txn).await?;
        enqueue(&txn, number.sequence(), notice, now).await?;
        txn.commit().await?;
        Ok(true)
    }
}
