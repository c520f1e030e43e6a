//! Problems found in a submission: a field path, a stable code and a message in both
//! languages. The same shape serves for warnings, which do not stop a ticket.

use serde::Serialize;

/// A message for the employee, in Indonesian (the default language of the desk) and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Stable, machine-readable names of the rules. Clients may switch on these; the
/// wording of messages may change, the codes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemCode {
    Required,
    UnknownField,
    InvalidJson,
    NipFormat,
    NipBirthDate,
    NipAppointmentDate,
    NipAppointmentBeforeBirth,
    NipGender,
    NikFormat,
    NikRegion,
    NikBirthDate,
    NikSerial,
    NikNipMismatch,
    EmailFormat,
    EmailHyphen,
    EmailLocalCharacters,
    EmailDomainNotGoId,
    EmailDomainNotAllowed,
    NameCharacters,
    NameTooLong,
    NameAcademicTitle,
    PositionCharacters,
    PositionTooLong,
    UnitUnknown,
    ServiceUnknown,
    SubtypeRequired,
    SubtypeUnknown,
    SubtypeNotApplicable,
    ReasonRequired,
    ReasonUnknown,
    ReasonNotApplicable,
    ReasonDetailRequired,
    CertificateStatusUnknown,
    TextTooLong,
    SecretInText,
    TextControlCharacters,
    ChangesRequired,
    ChangesNotApplicable,
    ChangeFieldUnknown,
    ChangeFieldDuplicate,
    ChangeWithoutDifference,
    ChangeNeedsRevocation,
    AttachmentMissing,
    AttachmentUnknownPart,
    DuplicatePart,
    AttachmentEmpty,
    AttachmentType,
    AttachmentUnreadable,
    AttachmentDimensions,
    AttachmentTooManyPixels,
    AttachmentTooLarge,
    OfficerUnknown,
    OfficerInactive,
    OfficerOtherUnit,
    OfficerIsRequester,
    OfficerEntryOutdated,
    RenewalMayNeedRevocation,
    QueueName,
    OpenTicketExists,
    TooManyParts,
}

impl ProblemCode {
    /// The code as it appears on the wire (snake_case, stable).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::UnknownField => "unknown_field",
            Self::InvalidJson => "invalid_json",
            Self::NipFormat => "nip_format",
            Self::NipBirthDate => "nip_birth_date",
            Self::NipAppointmentDate => "nip_appointment_date",
            Self::NipAppointmentBeforeBirth => "nip_appointment_before_birth",
            Self::NipGender => "nip_gender",
            Self::NikFormat => "nik_format",
            Self::NikRegion => "nik_region",
            Self::NikBirthDate => "nik_birth_date",
            Self::NikSerial => "nik_serial",
            Self::NikNipMismatch => "nik_nip_mismatch",
            Self::EmailFormat => "email_format",
            Self::EmailHyphen => "email_hyphen",
            Self::EmailLocalCharacters => "email_local_characters",
            Self::EmailDomainNotGoId => "email_domain_not_go_id",
            Self::EmailDomainNotAllowed => "email_domain_not_allowed",
            Self::NameCharacters => "name_characters",
            Self::NameTooLong => "name_too_long",
            Self::NameAcademicTitle => "name_academic_title",
            Self::PositionCharacters => "position_characters",
            Self::PositionTooLong => "position_too_long",
            Self::UnitUnknown => "unit_unknown",
            Self::ServiceUnknown => "service_unknown",
            Self::SubtypeRequired => "subtype_required",
            Self::SubtypeUnknown => "subtype_unknown",
            Self::SubtypeNotApplicable => "subtype_not_applicable",
            Self::ReasonRequired => "reason_required",
            Self::ReasonUnknown => "reason_unknown",
            Self::ReasonNotApplicable => "reason_not_applicable",
            Self::ReasonDetailRequired => "reason_detail_required",
            Self::CertificateStatusUnknown => "certificate_status_unknown",
            Self::TextTooLong => "text_too_long",
            Self::SecretInText => "secret_in_text",
            Self::TextControlCharacters => "text_control_characters",
            Self::ChangesRequired => "changes_required",
            Self::ChangesNotApplicable => "changes_not_applicable",
            Self::ChangeFieldUnknown => "change_field_unknown",
            Self::ChangeFieldDuplicate => "change_field_duplicate",
            Self::ChangeWithoutDifference => "change_without_difference",
            Self::ChangeNeedsRevocation => "change_needs_revocation",
            Self::AttachmentMissing => "attachment_missing",
            Self::AttachmentUnknownPart => "attachment_unknown_part",
            Self::DuplicatePart => "duplicate_part",
            Self::AttachmentEmpty => "attachment_empty",
            Self::AttachmentType => "attachment_type",
            Self::AttachmentUnreadable => "attachment_unreadable",
            Self::AttachmentDimensions => "attachment_dimensions",
            Self::AttachmentTooManyPixels => "attachment_too_many_pixels",
            Self::AttachmentTooLarge => "attachment_too_large",
            Self::OfficerUnknown => "officer_unknown",
            Self::OfficerInactive => "officer_inactive",
            Self::OfficerOtherUnit => "officer_other_unit",
            Self::OfficerIsRequester => "officer_is_requester",
            Self::OfficerEntryOutdated => "officer_entry_outdated",
            Self::RenewalMayNeedRevocation => "renewal_may_need_revocation",
            Self::QueueName => "queue_name",
            Self::OpenTicketExists => "open_ticket_exists",
            Self::TooManyParts => "too_many_parts",
        }
    }
}

impl Serialize for ProblemCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A rule broken by one field of a submission (or, as a warning, a thing the employee
/// should know before the agent acts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
