use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service: String,
    pub subtype: Option<String>,
    pub reason: Option<String>,
    pub reason_detail: Option<String>,
    pub status: String,
    pub requester_nip: String,
    pub requester_nik: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub requester_unit: String,
    pub requester_position: String,
    pub responsible_officer_nip: String,
    pub description: String,
    pub changes: Option<Json>,
    pub certificate_status: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub queue: String,
    pub assignee_nip: Option<String>,
    pub version: i32,
    pub open_slot: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
