//! What the desk accounts for under UU 27/2022: every look at personal data. A look is
//! recorded whether it was allowed or not, in the same transaction as what it records.

/// The kinds of look the audit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookKind {
    /// An attachment (a KTP or signature scan, a letter, a screenshot) was downloaded.
    AttachmentDownloaded,
    /// Someone asked for an attachment they may not have, or of a ticket they may not
    /// see (or that does not exist): told "not found", and recorded.
    AttachmentRefused,
    /// A NIK was shown in full to someone other than its owner (RA staff, who compare
    /// it with the scan and with the authority's records).
    NikShown,
    /// A supervisor exported everything held about a person (one row per ticket).
    DataSubjectExported,
    /// A supervisor anonymised a person (one row per ticket).
    DataSubjectAnonymised,
}

impl LookKind {
    pub const ALL: [Self; 5] = [
        Self::AttachmentDownloaded,
        Self::AttachmentRefused,
        Self::NikShown,
        Self::DataSubjectExported,
        Self::DataSubjectAnonymised,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AttachmentDownloaded => "attachment_downloaded",
            Self::AttachmentRefused => "attachment_refused",
            Self::NikShown => "nik_shown",
            Self::DataSubjectExported => "data_subject_exported",
            Self::DataSubjectAnonymised => "data_subject_anonymised",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in LookKind::ALL {
            assert_eq!(LookKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(LookKind::from_code("download"), None);
    }
}
