//! The `ticket` part as the client wrote it: every field optional, so that a missing one
//! is reported by name with the others instead of failing the parse.

use serde::Deserialize;

#[cfg(feature = "openapi")]
use crate::service::{CertificateStatus, ChangeKind, ChangeableField, RevocationReason, Service};

/// The `ticket` part of an intake request, every field as the client sent it. Every field
/// is optional here so that a missing one is reported with the others, by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "service": "15.2",
    "subtype": "renewal",
    "requester": {
        "nip": "199005172015031001",
        "name": "Andi Contoh",
        "email": "andi.contoh@kemenkeu.go.id",
        "unit": "Sekretariat Jenderal",
        "position": "Pranata Komputer"
    },
    "responsible_officer_nip": "197501012000031002",
    "description": "Sertifikat akan kedaluwarsa bulan depan.",
    "certificate_status": "Issue"
})))]
#[serde(deny_unknown_fields)]
pub struct TicketDraft {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Service>))]
    pub service: Option<String>,
    /// For 15.2: the kind of change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ChangeKind>))]
    pub subtype: Option<String>,
    /// For 15.3: why the certificate is revoked.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<RevocationReason>))]
    pub reason: Option<String>,
    /// Required when the reason is `other`.
    pub reason_detail: Option<String>,
    #[serde(default)]
    pub requester: RequesterDraft,
    /// The NIP of the officer who answers for the requester; the ticket is routed to them.
    pub responsible_officer_nip: Option<String>,
    pub description: Option<String>,
    /// For a 15.2 data change: the fields to change and their new values.
    pub changes: Option<Vec<ChangeDraft>>,
    /// The certificate status the requester sees in the authority's portal.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CertificateStatus>))]
    pub certificate_status: Option<String>,
}

/// The employee the ticket is for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequesterDraft {
    /// 18 digits: birth date, appointment month, gender, serial.
    pub nip: Option<String>,
    /// 16 digits; needed for 15.1 and for changes of name or NIP. Never logged; shown
    /// in full only to its owner and to RA staff, masked to anyone else.
    pub nik: Option<String>,
    /// The name as it will appear on the certificate, without academic titles.
    pub name: Option<String>,
    /// An official address under `.go.id`, with no `-`.
    pub email: Option<String>,
    /// An Eselon I unit from the catalogue.
    pub unit: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeDraft {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ChangeableField>))]
    pub field: Option<String>,
    pub new_value: Option<String>,
}
