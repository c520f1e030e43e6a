//! The certificate authority's side of a ticket: what the RA agent finds in the
//! authority's portal (BSrE's AMS) while working it, and the link the authority sends the
//! requester when they must act there themselves.
//!
//! The requester's own claim at filing ("my certificate shows On Set Passphrase") stays
//! on the ticket as they wrote it; a finding is what the agent saw, recorded by them.

use chrono::{DateTime, NaiveDate, Utc};

use crate::problem::Message;
use crate::service::CertificateStatus;
use crate::text::FreeText;
use crate::vocabulary::serde_as_code;

/// The longest note an agent may keep with a finding.
pub const MAX_AUTHORITY_NOTE_CHARS: usize = 500;

/// The state of the requester's profile in the authority's portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileState {
    /// The profile matches the KTP and the HR record.
    Verified,
    /// The profile waits for a correction.
    Update,
}

impl ProfileState {
    pub const ALL: [ProfileState; 2] = [Self::Verified, Self::Update];

    pub fn code(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Update => "update",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

serde_as_code!(ProfileState, "profile state");

/// What the requester must do through the authority's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequesterStep {
    /// Complete the profile and take the selfie (the first step of a manual issuance).
    CompleteProfile,
    /// Set the certificate's passphrase.
    SetPassphrase,
}

impl RequesterStep {
    pub const ALL: [RequesterStep; 2] = [Self::CompleteProfile, Self::SetPassphrase];

    pub fn code(self) -> &'static str {
        match self {
            Self::CompleteProfile => "complete_profile",
            Self::SetPassphrase => "set_passphrase",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the requester is asked to do, in both languages.
    pub fn title(self) -> Message {
        match self {
            Self::CompleteProfile => Message::new(
                "Lengkapi profil dan swafoto melalui tautan dari BSrE",
                "Complete the profile and selfie through the link from BSrE",
            ),
            Self::SetPassphrase => Message::new(
                "Atur passphrase sertifikat melalui tautan dari BSrE",
                "Set the certificate's passphrase through the link from BSrE",
            ),
        }
    }
}

serde_as_code!(RequesterStep, "requester step");

/// What the agent writes about the authority with an action, before the rules check it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorityReport {
    pub certificate_status: Option<CertificateStatus>,
    pub profile: Option<ProfileState>,
    pub valid_until: Option<NaiveDate>,
    pub enrolment_locked: Option<bool>,
    pub note: Option<String>,
}

impl AuthorityReport {
    /// Whether anything about the authority was written at all.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// What the agent found at the authority, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityFinding {
    pub certificate_status: CertificateStatus,
    pub profile: Option<ProfileState>,
    /// The certificate's last valid day, as the portal shows it.
    pub valid_until: Option<NaiveDate>,
    pub enrolment_locked: Option<bool>,
    /// What the agent did there, in a sentence.
    pub note: Option<FreeText>,
}

/// The authority's link to the requester: what it is for and until when it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorityLink {
    pub step: RequesterStep,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl AuthorityLink {
    pub fn has_expired(&self, now: DateTime<Utc>) -> bool {
        link_expired(self.expires_at, now)
    }
}

/// Whether a link that works until `expires_at` no longer does at `now`: the one rule
/// behind a ticket's `expired` and a queue item's flag.
pub fn link_expired(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= expires_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in ProfileState::ALL {
            assert_eq!(ProfileState::from_code(p.code()), Some(p));
        }
        for s in RequesterStep::ALL {
            assert_eq!(RequesterStep::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn a_link_expires_at_its_deadline() {
        let sent_at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let link = AuthorityLink {
            step: RequesterStep::SetPassphrase,
            sent_at,
            expires_at: sent_at + chrono::Duration::hours(24),
        };
        assert!(!link.has_expired(sent_at + chrono::Duration::hours(23)));
        assert!(link.has_expired(sent_at + chrono::Duration::hours(24)));
    }
}
