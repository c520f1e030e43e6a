//! Problems found in a submission: a field path, a stable code and a message in both
//! languages. The same shape serves for warnings, which do not stop a ticket.

use serde::{Deserialize, Serialize};

/// A message for the employee, in Indonesian (the default language of the desk) and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: String,
    pub en: String,
}

impl Message {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }
}

/// Defines the code vocabulary once: the enum, its wire names and the list of all of
/// them (which the OpenAPI document publishes), so that none can be left out of one.
macro_rules! problem_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Stable, machine-readable names of the rules. Clients may switch on these; the
        /// wording of messages may change, the codes do not.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ProblemCode {
            $($variant,)*
        }

        impl ProblemCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ProblemCode] = &[$(Self::$variant,)*];

            /// The code as it appears on the wire (snake_case, stable).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The code read back from its wire form.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

problem_codes! {
    Required => "required",
    UnknownField => "unknown_field",
    InvalidJson => "invalid_json",
    NipFormat => "nip_format",
    NipBirthDate => "nip_birth_date",
    NipAppointmentDate => "nip_appointment_date",
    NipAppointmentBeforeBirth => "nip_appointment_before_birth",
    NipGender => "nip_gender",
    NikFormat => "nik_format",
    NikRegion => "nik_region",
    NikBirthDate => "nik_birth_date",
    NikSerial => "nik_serial",
    NikNipMismatch => "nik_nip_mismatch",
    EmailFormat => "email_format",
    EmailHyphen => "email_hyphen",
    EmailLocalCharacters => "email_local_characters",
    EmailDomainNotGoId => "email_domain_not_go_id",
    EmailDomainNotAllowed => "email_domain_not_allowed",
    NameCharacters => "name_characters",
    NameTooLong => "name_too_long",
    NameAcademicTitle => "name_academic_title",
    PositionCharacters => "position_characters",
    PositionTooLong => "position_too_long",
    UnitUnknown => "unit_unknown",
    ServiceUnknown => "service_unknown",
    SubtypeRequired => "subtype_required",
    SubtypeUnknown => "subtype_unknown",
    SubtypeNotApplicable => "subtype_not_applicable",
    ReasonRequired => "reason_required",
    ReasonUnknown => "reason_unknown",
    ReasonNotApplicable => "reason_not_applicable",
    ReasonDetailRequired => "reason_detail_required",
    CertificateStatusUnknown => "certificate_status_unknown",
    NotForAction => "not_for_action",
    DateFormat => "date_format",
    TextTooLong => "text_too_long",
    SecretInText => "secret_in_text",
    TextControlCharacters => "text_control_characters",
    ChangesRequired => "changes_required",
    ChangesNotApplicable => "changes_not_applicable",
    ChangeFieldUnknown => "change_field_unknown",
    ChangeFieldDuplicate => "change_field_duplicate",
    ChangeWithoutDifference => "change_without_difference",
    ChangeNeedsRevocation => "change_needs_revocation",
    NoCertificateChangeNeeded => "no_certificate_change_needed",
    AttachmentMissing => "attachment_missing",
    AttachmentUnknownPart => "attachment_unknown_part",
    DuplicatePart => "duplicate_part",
    AttachmentEmpty => "attachment_empty",
    AttachmentType => "attachment_type",
    AttachmentUnreadable => "attachment_unreadable",
    AttachmentCorrupt => "attachment_corrupt",
    AttachmentDecodeBudget => "attachment_decode_budget",
    AttachmentDimensions => "attachment_dimensions",
    AttachmentTooManyPixels => "attachment_too_many_pixels",
    AttachmentTooLarge => "attachment_too_large",
    AttachmentEncrypted => "attachment_encrypted",
    AttachmentActiveContent => "attachment_active_content",
    AttachmentTooManyPages => "attachment_too_many_pages",
    AttachmentTooComplex => "attachment_too_complex",
    OfficerUnknown => "officer_unknown",
    OfficerInactive => "officer_inactive",
    OfficerOtherUnit => "officer_other_unit",
    OfficerIsRequester => "officer_is_requester",
    OfficerEntryOutdated => "officer_entry_outdated",
    AssigneeUnknown => "assignee_unknown",
    AssigneeInactive => "assignee_inactive",
    RenewalMayNeedRevocation => "renewal_may_need_revocation",
    QueueName => "queue_name",
    OpenTicketExists => "open_ticket_exists",
    TooManyParts => "too_many_parts",
    IdempotencyKeyFormat => "idempotency_key_format",
    IdempotencyKeyReused => "idempotency_key_reused",
}

impl Serialize for ProblemCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A rule broken by one field of a submission (or, as a warning, a thing the employee
/// should know before the agent acts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Where the problem is, as a dotted path into the request: `requester.email`,
    /// `changes[1].new_value`, or a file part's name such as `ktp_scan`.
    pub field: String,
    pub code: ProblemCode,
    pub message: Message,
}

impl Problem {
    pub fn new(field: impl Into<String>, code: ProblemCode, message: Message) -> Self {
        Self {
            field: field.into(),
            code,
            message,
        }
    }

    /// A rule violation of a value type, placed at `field`.
    pub fn at(field: impl Into<String>, rule: &impl Rule) -> Self {
        Self::new(field, rule.code(), rule.message())
    }

    pub fn required(field: impl Into<String>) -> Self {
        let field = field.into();
        let message = Message::new(
            format!("Kolom `{field}` wajib diisi."),
            format!("The field `{field}` is required."),
        );
        Self::new(field, ProblemCode::Required, message)
    }
}

/// Implemented by the error of every value type, so that a failed parse turns into a
/// [`Problem`] wherever the value sits in a request.
pub trait Rule {
    fn code(&self) -> ProblemCode;
    fn message(&self) -> Message;
}
