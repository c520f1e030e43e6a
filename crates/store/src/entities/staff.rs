use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nip: String,
    pub name: String,
    pub email: String,
    pub unit: String,
    /// `id` or `en`: the language of their emails.
    pub language: String,
    /// `agent` or `supervisor`.
    pub role: String,
    pub active: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
