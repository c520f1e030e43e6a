//! How long personal data is kept once a ticket has ended (closed, rejected or
//! cancelled). UU 27/2022 asks for no longer than the purpose needs: a scan serves the
//! check of one request, so it goes soon; a recommendation letter is the unit's word and
//! is kept for the year's audits; the NIK is kept as long as the letter, and then only
//! its masked form and keyed hash remain, to say whose ticket it was.

use chrono::{DateTime, Duration, Utc};

use crate::AttachmentKind;
use crate::lifecycle::Status;

/// The periods, in days from the ticket's end. Zero means "at the next pass". Read from
/// `[retention]` (the worker reads how often it looks beside them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RetentionPolicy {
    /// KTP and signature scans and screenshots.
    pub scan_days: u32,
    /// Recommendation letters.
    pub letter_days: u32,
    /// The NIK itself.
    pub nik_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            scan_days: 30,
            letter_days: 365,
            nik_days: 365,
        }
    }
}

impl RetentionPolicy {
    /// How long a file of `kind` is kept after its ticket ends.
    pub fn days_for(&self, kind: AttachmentKind) -> u32 {
        match kind {
            AttachmentKind::KtpScan
            | AttachmentKind::SignatureScan
            | AttachmentKind::HrisStatusScreenshot
            | AttachmentKind::ErrorScreenshot => self.scan_days,
            AttachmentKind::RecommendationLetter => self.letter_days,
        }
    }

    /// Files of `kind` on tickets that ended at or before this instant are due.
    pub fn file_cutoff(&self, kind: AttachmentKind, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days_for(kind)))
    }

    /// NIKs on tickets that ended at or before this instant are due for erasure.
    pub fn nik_cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.nik_days))
    }
}

/// Whether entering `status` ends a ticket, so that its retention periods start.
pub fn ends_ticket(status: Status) -> bool {
    status.is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_and_screenshots_go_first_letters_later() {
        let policy = RetentionPolicy::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        for kind in AttachmentKind::ALL {
            let expected = if kind == AttachmentKind::RecommendationLetter {
                365
            } else {
                30
            };
            assert_eq!(policy.days_for(kind), expected, "{kind:?}");
            assert_eq!(
                policy.file_cutoff(kind, now),
                now - Duration::days(expected.into())
            );
        }
        assert_eq!(policy.nik_cutoff(now), now - Duration::days(365));
    }

    #[test]
    fn only_closed_rejected_and_cancelled_end_a_ticket() {
        let ending: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| ends_ticket(*s))
            .collect();
        assert_eq!(
            ending,
            [Status::Closed, Status::Rejected, Status::Cancelled]
        );
    }
}
