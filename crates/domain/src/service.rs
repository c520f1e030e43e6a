//! The ITSM 15 service catalogue: what an employee can ask for, and the typed request
//! that a valid submission becomes.

use serde::Serialize;

use crate::attachment::AttachmentKind;
use crate::problem::Message;
use crate::text::FreeText;

/// The three services of department "ITSM 15 — Layanan Sertifikat Elektronik".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// 15.1: manual issuance, when self-registration through HRIS failed.
    ManualIssuance,
    /// 15.2: data change, new passphrase link, passphrase reset or renewal.
    CertificateChange,
    /// 15.3: deactivation / deletion of a certificate.
    Revocation,
}

impl Service {
    pub const ALL: [Service; 3] = [
        Self::ManualIssuance,
        Self::CertificateChange,
        Self::Revocation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ManualIssuance => "15.1",
            Self::CertificateChange => "15.2",
            Self::Revocation => "15.3",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    pub fn title(self) -> Message {
        match self {
            Self::ManualIssuance => Message::new(
                "Penerbitan sertifikat elektronik individu secara manual",
                "Manual issuance of an individual electronic certificate",
            ),
            Self::CertificateChange => Message::new(
                "Perubahan data, tautan set passphrase baru, reset passphrase atau perpanjangan sertifikat",
                "Data change, new set-passphrase link, passphrase reset or certificate renewal",
            ),
            Self::Revocation => Message::new(
                "Penonaktifan / penghapusan sertifikat elektronik",
                "Deactivation / deletion (revocation) of an electronic certificate",
            ),
        }
    }

    /// Whether an attachment must come with a request for this service. The guides ask
    /// for every attachment on every ITSM 15 ticket, except that the screenshot of the
    /// error message is mandatory only for manual issuance.
    pub fn requires(self, kind: AttachmentKind) -> bool {
        match kind {
            AttachmentKind::KtpScan
            | AttachmentKind::SignatureScan
            | AttachmentKind::RecommendationLetter
            | AttachmentKind::HrisStatusScreenshot => true,
            AttachmentKind::ErrorScreenshot => self == Self::ManualIssuance,
        }
    }
}

/// The four kinds of 15.2 request; the requester picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    DataChange,
    PassphraseLink,
    PassphraseReset,
    Renewal,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        Self::DataChange,
        Self::PassphraseLink,
        Self::PassphraseReset,
        Self::Renewal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DataChange => "data_change",
            Self::PassphraseLink => "passphrase_link",
            Self::PassphraseReset => "passphrase_reset",
            Self::Renewal => "renewal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn title(self) -> Message {
        match self {
            Self::DataChange => Message::new("Perubahan data", "Data change"),
            Self::PassphraseLink => Message::new(
                "Tautan set passphrase baru (tautan tidak diterima atau kedaluwarsa setelah 24 jam)",
                "New set-passphrase link (not received, or expired after 24 hours)",
            ),
            Self::PassphraseReset => Message::new("Reset passphrase", "Passphrase reset"),
            Self::Renewal => Message::new(
                "Perpanjangan masa berlaku sertifikat",
                "Extension of the certificate's validity (renewal)",
            ),
        }
    }
}

/// Why a certificate should be revoked (design decision, from the portal's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    DataChange,
    KeyCompromise,
    LeftOrganisation,
    Retired,
    /// Needs a free-text explanation.
    Other,
}

impl RevocationReason {
    pub const ALL: [RevocationReason; 5] = [
        Self::DataChange,
        Self::KeyCompromise,
        Self::LeftOrganisation,
        Self::Retired,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DataChange => "data_change",
            Self::KeyCompromise => "key_compromise",
            Self::LeftOrganisation => "left_organisation",
            Self::Retired => "retired",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn needs_detail(self) -> bool {
        self == Self::Other
    }

    pub fn title(self) -> Message {
        match self {
            Self::DataChange => Message::new("Perubahan data", "Data change"),
            Self::KeyCompromise => Message::new(
                "Passphrase atau perangkat diketahui orang lain",
                "Passphrase or device compromised",
            ),
            Self::LeftOrganisation => {
                Message::new("Pindah instansi / berhenti", "Left the organisation")
            }
            Self::Retired => Message::new("Pensiun", "Retired"),
            Self::Other => Message::new("Lainnya (jelaskan)", "Other (explain)"),
        }
    }
}

/// A field of the certificate profile that a data change can touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeableField {
    Name,
    Email,
    Organisation,
    Nip,
    /// Only the RA can correct a NIK, at the authority; the corrected one is personal
    /// data like the ticket's own and is stored sealed with it.
    Nik,
    Position,
    Unit,
    City,
    Province,
}

impl ChangeableField {
    pub const ALL: [ChangeableField; 9] = [
        Self::Name,
        Self::Email,
        Self::Organisation,
        Self::Nip,
        Self::Nik,
        Self::Position,
        Self::Unit,
        Self::City,
        Self::Province,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Organisation => "organisation",
            Self::Nip => "nip",
            Self::Nik => "nik",
            Self::Position => "position",
            Self::Unit => "unit",
            Self::City => "city",
            Self::Province => "province",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code.trim())
    }

    /// A change of name, email or organisation needs the active certificate revoked and
    /// re-issued; the other fields are changed in place.
    pub fn needs_revocation_first(self) -> bool {
        matches!(self, Self::Name | Self::Email | Self::Organisation)
    }

    /// Fields that identify the person: changing them needs the NIK on the ticket.
    pub fn is_identity(self) -> bool {
        matches!(self, Self::Name | Self::Nip | Self::Nik)
    }
}

/// One requested change, its new value already checked by the rule of its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    #[serde(serialize_with = "serialize_code")]
    pub field: ChangeableField,
    pub new_value: String,
}

fn serialize_code<S: serde::Serializer>(field: &ChangeableField, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(field.code())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRequest {
    DataChange(Vec<FieldChange>),
    PassphraseLink,
    PassphraseReset,
    Renewal,
}

impl ChangeRequest {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::DataChange(_) => ChangeKind::DataChange,
            Self::PassphraseLink => ChangeKind::PassphraseLink,
            Self::PassphraseReset => ChangeKind::PassphraseReset,
            Self::Renewal => ChangeKind::Renewal,
        }
    }
}

/// What a valid ticket asks for: exactly the details its service needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceRequest {
    ManualIssuance,
    Change(ChangeRequest),
    Revocation {
        reason: RevocationReason,
        detail: Option<FreeText>,
    },
}

impl ServiceRequest {
    pub fn service(&self) -> Service {
        match self {
            Self::ManualIssuance => Service::ManualIssuance,
            Self::Change(_) => Service::CertificateChange,
            Self::Revocation { .. } => Service::Revocation,
        }
    }

    pub fn change_kind(&self) -> Option<ChangeKind> {
        match self {
            Self::Change(change) => Some(change.kind()),
            Self::ManualIssuance | Self::Revocation { .. } => None,
        }
    }

    pub fn revocation_reason(&self) -> Option<RevocationReason> {
        match self {
            Self::Revocation { reason, .. } => Some(*reason),
            Self::ManualIssuance | Self::Change(_) => None,
        }
    }

    pub fn revocation_detail(&self) -> Option<&FreeText> {
        match self {
            Self::Revocation { detail, .. } => detail.as_ref(),
            Self::ManualIssuance | Self::Change(_) => None,
        }
    }

    pub fn changes(&self) -> &[FieldChange] {
        match self {
            Self::Change(ChangeRequest::DataChange(changes)) => changes,
            _ => &[],
        }
    }
}

/// Certificate states as the certificate authority reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateStatus {
    New,
    OnSetPassphrase,
    Enroll,
    Issue,
    Revoke,
    Expired,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 6] = [
        Self::New,
        Self::OnSetPassphrase,
        Self::Enroll,
        Self::Issue,
        Self::Revoke,
        Self::Expired,
    ];

    /// The name the authority's portal shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::OnSetPassphrase => "On Set Passphrase",
            Self::Enroll => "Enroll",
            Self::Issue => "Issue",
            Self::Revoke => "Revoke",
            Self::Expired => "Expired",
        }
    }

    /// The status as a query parameter and a column hold it: `on_set_passphrase`.
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::OnSetPassphrase => "on_set_passphrase",
            Self::Enroll => "enroll",
            Self::Issue => "issue",
            Self::Revoke => "revoke",
            Self::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the authority is waiting for at this status, and what the requester does
    /// next, as the guides explain it.
    pub fn what_next(self) -> Message {
        match self {
            Self::New => Message::new(
                "BSrE sedang memverifikasi data Anda; saat ini Anda tidak perlu melakukan apa pun.",
                "BSrE is verifying your data; there is nothing for you to do now.",
            ),
            Self::OnSetPassphrase => Message::new(
                "BSrE menunggu Anda mengatur passphrase melalui tautan yang dikirim ke email dinas Anda; tautan itu hanya berlaku 24 jam.",
                "BSrE waits for you to set your passphrase through the link sent to your official email; the link works for 24 hours only.",
            ),
            Self::Enroll => Message::new(
                "Sertifikat Anda sedang diterbitkan (enroll) di BSrE; saat ini Anda tidak perlu melakukan apa pun.",
                "Your certificate is being enrolled at BSrE; there is nothing for you to do now.",
            ),
            Self::Issue => Message::new(
                "Sertifikat Anda telah terbit; petugas RA akan menyelesaikan tiket ini.",
                "Your certificate has been issued; the RA agent will complete this ticket.",
            ),
            Self::Revoke => Message::new(
                "Sertifikat Anda sedang dicabut di BSrE; saat ini Anda tidak perlu melakukan apa pun.",
                "Your certificate is being revoked at BSrE; there is nothing for you to do now.",
            ),
            Self::Expired => Message::new(
                "Sertifikat Anda sudah kedaluwarsa; petugas RA menunggu BSrE memproses permohonan baru.",
                "Your certificate has expired; the RA agent waits for BSrE to process the new request.",
            ),
        }
    }

    /// Accepts the portal's label in any case and spacing.
    pub fn from_label(label: &str) -> Option<Self> {
        let wanted: String = label
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.label().to_lowercase() == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_code(s.code()), Some(s));
        }
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::from_code(k.code()), Some(k));
        }
        for r in RevocationReason::ALL {
            assert_eq!(RevocationReason::from_code(r.code()), Some(r));
        }
        for f in ChangeableField::ALL {
            assert_eq!(ChangeableField::from_code(f.code()), Some(f));
        }
        for c in CertificateStatus::ALL {
            assert_eq!(CertificateStatus::from_label(c.label()), Some(c));
            assert_eq!(CertificateStatus::from_code(c.code()), Some(c));
        }
        assert_eq!(
            CertificateStatus::from_label("on  set PASSPHRASE"),
            Some(CertificateStatus::OnSetPassphrase)
        );
    }

    #[test]
    fn the_error_screenshot_is_required_only_for_manual_issuance() {
        assert!(Service::ManualIssuance.requires(AttachmentKind::ErrorScreenshot));
        assert!(!Service::CertificateChange.requires(AttachmentKind::ErrorScreenshot));
        assert!(!Service::Revocation.requires(AttachmentKind::ErrorScreenshot));
        for service in Service::ALL {
            assert!(service.requires(AttachmentKind::KtpScan));
            assert!(service.requires(AttachmentKind::SignatureScan));
            assert!(service.requires(AttachmentKind::RecommendationLetter));
            assert!(service.requires(AttachmentKind::HrisStatusScreenshot));
        }
    }
}
