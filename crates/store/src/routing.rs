//! Routing rules, in evaluation order.

use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, EntityTrait, QueryOrder};

use crate::entities::routing_rules;
use crate::{Store, StoreError};

/// A rule as stored: service code and unit name, `None` for "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub service: Option<String>,
    pub unit: Option<String>,
    pub queue: String,
}

impl Store {
    pub async fn routing_rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        Ok(routing_rules::Entity::find()
            .order_by_asc(routing_rules::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| StoredRule {
                service: r.service,
                unit: r.unit,
                queue: r.queue,
            })
            .collect())
    }

    /// Replaces the whole ordered list at once, so that no reader sees half of an edit.
    pub async fn replace_routing_rules(&self, rules: &[StoredRule]) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        routing_rules::Entity::delete_many().exec(&txn).await?;
        for (position, rule) in rules.iter().enumerate() {
            routing_rules::Entity::insert(routing_rules::ActiveModel {
                id: NotSet,
                position: Set(position as i32),
                service: Set(rule.service.clone()),
                unit: Set(rule.unit.clone()),
                queue: Set(rule.queue.clone()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
