//! The catalogue a client builds its form from: every service with its sub-types or
//! reasons, the attachments it needs with their limits, and the data lists (units, mail
//! domains). Built from the same rules that intake enforces, so the two cannot disagree.

use serde::Serialize;

use crate::attachment::{AttachmentKind, AttachmentPolicy};
use crate::identity::{EmailDomains, MAX_NAME_CHARS, MAX_POSITION_CHARS, UnitCatalogue};
use crate::problem::Message;
use crate::service::{CertificateStatus, ChangeKind, ChangeableField, RevocationReason, Service};
use crate::text::{MAX_DESCRIPTION_CHARS, MAX_REASON_DETAIL_CHARS};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub services: Vec<ServiceEntry>,
    /// The Eselon I units, as a requester's `unit` must name one.
    pub units: Vec<String>,
    /// The mail domains official emails may use; empty when any `.go.id` domain is allowed.
    pub email_domains: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<CertificateStatus>))]
    pub certificate_statuses: Vec<&'static str>,
    pub text_limits: TextLimits,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = Service))]
    pub code: &'static str,
    pub title: Message,
    pub subtypes: Vec<Choice>,
    pub reasons: Vec<Choice>,
    pub attachments: Vec<AttachmentEntry>,
    /// Whether the requester's NIK is always needed (data changes of name or NIP need it too).
    pub needs_nik: bool,
    /// For data changes: the fields that can be changed.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ChangeableField>))]
    pub changeable_fields: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
/// A sub-type of 15.2 or a reason of 15.3.
pub struct Choice {
    pub code: &'static str,
    pub title: Message,
    pub needs_detail: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = AttachmentKind))]
    pub kind: &'static str,
    pub title: Message,
    pub required: bool,
    pub content_types: Vec<&'static str>,
    pub max_bytes: u64,
    pub max_width: Option<u32>,
    pub max_height: Option<u32>,
    pub max_pixels: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextLimits {
    pub name_max_chars: usize,
    pub position_max_chars: usize,
    pub description_max_chars: usize,
    pub reason_detail_max_chars: usize,
}

pub fn catalogue(
    policy: &AttachmentPolicy,
    units: &UnitCatalogue,
    domains: &EmailDomains,
) -> Catalogue {
    let services = Service::ALL
        .into_iter()
        .map(|service| ServiceEntry {
            code: service.code(),
            title: service.title(),
            subtypes: match service {
                Service::CertificateChange => ChangeKind::ALL
                    .into_iter()
                    .map(|k| Choice {
                        code: k.code(),
                        title: k.title(),
                        needs_detail: false,
                    })
                    .collect(),
                Service::ManualIssuance | Service::Revocation => Vec::new(),
            },
            reasons: match service {
                Service::Revocation => RevocationReason::ALL
                    .into_iter()
                    .map(|r| Choice {
                        code: r.code(),
                        title: r.title(),
                        needs_detail: r.needs_detail(),
                    })
                    .collect(),
                Service::ManualIssuance | Service::CertificateChange => Vec::new(),
            },
            attachments: AttachmentKind::ALL
                .into_iter()
                .map(|kind| AttachmentEntry {
                    kind: kind.code(),
                    title: kind.title(),
                    required: service.requires(kind),
                    content_types: kind
                        .accepted_types()
                        .iter()
                        .map(|t| t.content_type())
                        .collect(),
                    max_bytes: policy.max_part_bytes,
                    max_width: kind.max_dimensions().map(|(w, _)| w),
                    max_height: kind.max_dimensions().map(|(_, h)| h),
                    max_pixels: policy.max_image_pixels,
                })
                .collect(),
            needs_nik: service == Service::ManualIssuance,
            changeable_fields: match service {
                Service::CertificateChange => {
                    ChangeableField::ALL.map(ChangeableField::code).to_vec()
                }
                Service::ManualIssuance | Service::Revocation => Vec::new(),
            },
        })
        .collect();
    Catalogue {
        services,
        units: units.names().to_vec(),
        email_domains: domains.as_slice().to_vec(),
        certificate_statuses: CertificateStatus::ALL
            .map(CertificateStatus::label)
            .to_vec(),
        text_limits: TextLimits {
            name_max_chars: MAX_NAME_CHARS,
            position_max_chars: MAX_POSITION_CHARS,
            description_max_chars: MAX_DESCRIPTION_CHARS,
            reason_detail_max_chars: MAX_REASON_DETAIL_CHARS,
        },
    }
}
