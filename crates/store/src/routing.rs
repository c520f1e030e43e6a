//! Routing rules, in evaluation order. Stored as codes and names; read back once, here,
//! as the domain's `StoredRule`: a current rule, or one that no longer reads against the
//! unit catalogue in force, kept with its problems so that routing passes over it in the
//! open and supervisors see it.

use certdesk_domain::UnitCatalogue;
use certdesk_domain::routing::{RoutingRule, RuleFields, StoredRule};
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, EntityTrait, QueryOrder};

use crate::entities::routing_rules;
use crate::{Store, StoreError};

impl Store {
    /// The rules in order, each read against `units`.
    pub async fn routing_rules(
        &self,
        units: &UnitCatalogue,
    ) -> Result<Vec<StoredRule>, StoreError> {
        Ok(routing_rules::Entity::find()
            .order_by_asc(routing_rules::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|rule| {
                let fields = RuleFields {
                    service: rule.service,
                    unit: rule.unit,
                    queue: rule.queue,
                };
                StoredRule::read(fields, units)
            })
            .collect())
    }

    /// Replaces the whole ordered list at once, so that no reader sees half of an edit.
    pub async fn replace_routing_rules(&self, rules: &[RoutingRule]) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        routing_rules::Entity::delete_many().exec(&txn).await?;
        for (position, rule) in rules.iter().enumerate() {
            let RuleFields {
                service,
                unit,
                queue,
            } = rule.fields();
            routing_rules::Entity::insert(routing_rules::ActiveModel {
                id: NotSet,
                position: Set(position as i32),
                service: Set(service),
                unit: Set(unit),
                queue: Set(queue),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
