use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "console_sessions")]
pub struct Model {
    /// SHA-256 of the cookie's token, in hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub nip: String,
    /// Role codes, comma-separated.
    pub roles: String,
    /// `id` or `en`.
    pub language: String,
    pub csrf: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
