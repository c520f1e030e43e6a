use sea_orm::entity::prelude::*;

// No derived Debug: the row carries a NIK, and a `?model` in a log line must not print it.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
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
    /// `id` or `en`: the language of the requester's emails; unset means the desk's default.
    pub language: Option<String>,
    /// The NIK sealed under master key `nik_key_id`, bound to the requester's NIP.
    pub nik_sealed: Option<Vec<u8>>,
    pub nik_key_id: Option<String>,
    /// HMAC of the NIK under the index key: finds a person's tickets.
    pub nik_index: Option<String>,
    /// The NIK as anyone may see it (`3174********0001`); kept after erasure.
    pub nik_masked: Option<String>,
    /// When the ticket was closed, rejected or cancelled: retention counts from here.
    pub ended_at: Option<DateTimeUtc>,
    pub nik_erased_at: Option<DateTimeUtc>,
    /// The agent's latest finding at the certificate authority (a `CertificateStatus`
    /// code), with its details, who recorded it and when.
    pub authority_status: Option<String>,
    pub authority_profile: Option<String>,
    pub authority_valid_until: Option<Date>,
    pub authority_enrolment_locked: Option<bool>,
    pub authority_note: Option<String>,
    pub authority_recorded_by: Option<String>,
    pub authority_recorded_at: Option<DateTimeUtc>,
    /// The authority's link to the requester: what it asks of them, and its deadline.
    pub link_step: Option<String>,
    pub link_sent_at: Option<DateTimeUtc>,
    pub link_expires_at: Option<DateTimeUtc>,
    /// When the assigned agent was told the link expired unused (once per link).
    pub link_reminded_at: Option<DateTimeUtc>,
    /// When the officer was last reminded of the waiting endorsement.
    pub endorsement_reminded_at: Option<DateTimeUtc>,
    /// What intake warned the requester about, as the domain's problems (JSON).
    pub intake_warnings: Option<Json>,
    /// The earliest instant a running service-level clock falls due, and is at risk.
    pub sla_due_at: Option<DateTimeUtc>,
    pub sla_at_risk_at: Option<DateTimeUtc>,
    /// When one of its clocks first went past its target.
    pub sla_breached_at: Option<DateTimeUtc>,
    /// Where a queue sorted by due places it: `sla_due_at`, or the end of time.
    pub sla_sort_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("tickets::Model")
            .field("id", &self.id)
            .field("service", &self.service)
            .field("status", &self.status)
            .field(
                "requester_nik",
                &self.requester_nik.as_deref().map(certdesk_domain::mask_nik),
            )
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_never_prints_the_nik() {
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        let model = super::Model {
            id: 1,
            service: "15.1".into(),
            subtype: None,
            reason: None,
            reason_detail: None,
            status: "submitted".into(),
            requester_nip: "199005172015031001".into(),
            requester_nik: Some("3174051705900001".into()),
            requester_name: "Andi Contoh".into(),
            requester_email: "andi.contoh@kemenkeu.go.id".into(),
            requester_unit: "Sekretariat Jenderal".into(),
            requester_position: "Pranata Komputer".into(),
            responsible_officer_nip: "197501012000031002".into(),
            description: "uji".into(),
            changes: None,
            certificate_status: None,
            created_at: at,
            updated_at: at,
            queue: "general".into(),
            assignee_nip: None,
            nik_sealed: None,
            nik_key_id: None,
            nik_index: None,
            nik_masked: None,
            ended_at: None,
            nik_erased_at: None,
            authority_status: None,
            authority_profile: None,
            authority_valid_until: None,
            authority_enrolment_locked: None,
            authority_note: None,
            authority_recorded_by: None,
            authority_recorded_at: None,
            link_step: None,
            link_sent_at: None,
            link_expires_at: None,
            link_reminded_at: None,
            endorsement_reminded_at: None,
            intake_warnings: None,
            sla_due_at: None,
            sla_at_risk_at: None,
            sla_breached_at: None,
            sla_sort_at: None,
            version: 1,
            open_slot: None,
            resolved_at: None,
            language: None,
        };
        let printed = format!("{model:?}");
        assert!(!printed.contains("3174051705900001"), "{printed}");
        assert!(printed.contains("3174********0001"));
    }
}
