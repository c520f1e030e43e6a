use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_clocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub target_secs: i64,
    pub used_secs: i64,
    pub phase: String,
    pub phase_since: DateTimeUtc,
    pub pause: Option<String>,
    pub due_at: Option<DateTimeUtc>,
    pub at_risk_at: Option<DateTimeUtc>,
    pub breached_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
