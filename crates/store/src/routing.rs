//! Routing rules, in evaluation order. Stored as codes and names; read back as the
//! domain's rules against the unit catalogue in force.

use certdesk_domain::routing::{QueueName, RoutingRule};
use certdesk_domain::{Service, UnitCatalogue};
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, EntityTrait, QueryOrder};

use crate::entities::routing_rules;
use crate::{Store, StoreError};

/// A rule as stored, read back as it is: for showing to the supervisors who edit them,
/// including a rule that no longer reads back (its unit renamed away), so that they see
/// it and fix it. Routing uses [`Store::routing_rules`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub service: Option<String>,
    pub unit: Option<String>,
    pub queue: String,
}

impl Store {
    /// The rules in order, as stored.
    pub async fn stored_routing_rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        Ok(routing_rules::Entity::find()
            .order_by_asc(routing_rules::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|rule| StoredRule {
                service: rule.service,
                unit: rule.unit,
                queue: rule.queue,
            })
            .collect())
    }

    /// The rules in order. A stored rule that no longer reads back (its unit was renamed
    /// away, say) is left out and logged rather than failing every intake; the next
    /// edit of the rules drops it.
    pub async fn routing_rules(
        &self,
        units: &UnitCatalogue,
    ) -> Result<Vec<RoutingRule>, StoreError> {
        let stored = self.stored_routing_rules().await?;
        let count = stored.len();
        let rules: Vec<RoutingRule> = stored
            .into_iter()
            .filter_map(|rule| {
                Some(RoutingRule {
                    service: match rule.service.as_deref() {
                        Some(code) => Some(Service::from_code(code)?),
                        None => None,
                    },
                    unit: match rule.unit.as_deref() {
                        Some(name) => Some(units.resolve(name).ok()?),
                        None => None,
                    },
                    queue: QueueName::parse(&rule.queue).ok()?,
                })
            })
            .collect();
        if rules.len() != count {
            tracing::warn!(
                skipped = count - rules.len(),
                "routing rules that no longer read back were left out"
            );
        }
        Ok(rules)
    }

    /// Replaces the whole ordered list at once, so that no reader sees half of an edit.
    pub async fn replace_routing_rules(&self, rules: &[RoutingRule]) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        routing_rules::Entity::delete_many().exec(&txn).await?;
        for (position, rule) in rules.iter().enumerate() {
            routing_rules::Entity::insert(routing_rules::ActiveModel {
                id: NotSet,
                position: Set(position as i32),
                service: Set(rule.service.map(|s| s.code().to_owned())),
                unit: Set(rule.unit.as_ref().map(|u| u.as_str().to_owned())),
                queue: Set(rule.queue.as_str().to_owned()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
