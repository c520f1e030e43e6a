use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auto_reply_budget")]
pub struct Model {
    /// SHA-256 of the sender's normalised address, in hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sender_key: String,
    /// When the sender's current hour began.
    pub window_start: DateTimeUtc,
    /// Auto-replies sent to them in it.
    pub sent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
