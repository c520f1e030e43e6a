//! How failures reach the log: a relay that is down fails every attempt, and a line per
//! attempt (1,793 of them in a 20-second outage) buries what matters. A streak of
//! failures is logged when it starts, as a count once a minute while it lasts, and when
//! deliveries succeed again.

use std::time::{Duration, Instant};

/// While failures go on, a reminder with the count this often.
pub const REMINDER_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct FailureStreak {
    started: Option<Instant>,
    failures: u64,
    reported: Option<Instant>,
}

/// What a delivery's outcome asks to be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The first failure after a success (or at start): log it, with its error.
    Started,
    /// Failures go on: log the count so far.
    Continuing { failures: u64, lasted: Duration },
    /// A success after failures: log how many there were and how long it lasted.
    Ended { failures: u64, lasted: Duration },
    /// Nothing new to say.
    Quiet,
}

impl FailureStreak {
    pub fn failed(&mut self, now: Instant) -> Report {
        self.failures += 1;
        let Some(started) = self.started else {
            self.started = Some(now);
            self.reported = Some(now);
            return Report::Started;
        };
        let due = self
            .reported
            .is_none_or(|at| now.duration_since(at) >= REMINDER_EVERY);
        if due {
            self.reported = Some(now);
            Report::Continuing {
                failures: self.failures,
                lasted: now.duration_since(started),
            }
        } else {
            Report::Quiet
        }
    }

    pub fn succeeded(&mut self, now: Instant) -> Report {
        let Some(started) = self.started.take() else {
            return Report::Quiet;
        };
        let failures = std::mem::take(&mut self.failures);
        self.reported = None;
        Report::Ended {
            failures,
            lasted: now.duration_since(started),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_twenty_second_outage_is_two_lines_not_one_per_attempt() {
        let mut streak = FailureStreak::default();
        let start = Instant::now();
        let mut lines = Vec::new();
        // 1,793 failed attempts spread over 20 seconds, then a success.
        for i in 0..1793u64 {
            let at = start + Duration::from_millis(i * 20_000 / 1793);
            let report = streak.failed(at);
            if report != Report::Quiet {
                lines.push(report);
            }
        }
        lines.push(streak.succeeded(start + Duration::from_secs(21)));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], Report::Started);
        assert!(matches!(lines[1], Report::Ended { failures: 1793, .. }));
    }

    #[test]
    fn a_long_outage_is_reminded_of_once_a_minute() {
        let mut streak = FailureStreak::default();
        let start = Instant::now();
        let reports: Vec<Report> = (0..=180)
            .map(|s| streak.failed(start + Duration::from_secs(s)))
            .filter(|r| *r != Report::Quiet)
            .collect();
        assert_eq!(
            reports.len(),
            4,
            "start, then at 60, 120 and 180 s: {reports:?}"
        );
        assert_eq!(
            reports[3],
            Report::Continuing {
                failures: 181,
                lasted: Duration::from_secs(180)
            }
        );
        assert_eq!(
            streak.succeeded(start),
            Report::Ended {
                failures: 181,
                lasted: Duration::ZERO
            }
        );
        assert_eq!(
            streak.succeeded(start),
            Report::Quiet,
            "nothing to end twice"
        );
    }
}
