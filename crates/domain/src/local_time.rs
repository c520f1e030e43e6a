//! Times as a requester reads them: in one of Indonesia's three time zones, written the
//! way each language writes a date ("1 Desember 2026 pukul 14.30 WIB", "1 December 2026,
//! 14:30 WIB"). A deadline in an email is only useful in the reader's own clock.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};

use crate::Language;

/// Indonesia's time zones; none observes daylight saving, so each is a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndonesianTime {
    /// Western Indonesia (UTC+7): Sumatra, Java, West and Central Kalimantan.
    #[default]
    Wib,
    /// Central Indonesia (UTC+8).
    Wita,
    /// Eastern Indonesia (UTC+9).
    Wit,
}

impl IndonesianTime {
    pub const ALL: [IndonesianTime; 3] = [Self::Wib, Self::Wita, Self::Wit];

    pub fn code(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }

    /// `WIB`, `wita`, …: any case.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|z| z.code().eq_ignore_ascii_case(code.trim()))
    }

    /// How far this clock is ahead of UTC.
    pub fn offset(self) -> Duration {
        Duration::hours(self.hours_ahead_of_utc())
    }

    fn hours_ahead_of_utc(self) -> i64 {
        match self {
            Self::Wib => 7,
            Self::Wita => 8,
            Self::Wit => 9,
        }
    }

    /// `at` on this zone's clock to the minute, for tables: `2026-12-01 14:30 WIB`.
    pub fn write_short(self, at: DateTime<Utc>) -> String {
        let local = at.naive_utc() + Duration::hours(self.hours_ahead_of_utc());
        format!("{} {}", local.format("%Y-%m-%d %H:%M"), self.code())
    }

    /// `at` on this zone's clock, written in `language`.
    pub fn write(self, at: DateTime<Utc>, language: Language) -> String {
        let local = at.naive_utc() + Duration::hours(self.hours_ahead_of_utc());
        let month = local.month0() as usize;
        match language {
            Language::Indonesian => format!(
                "{} {} {} pukul {:02}.{:02} {}",
                local.day(),
                MONTHS_ID[month],
                local.year(),
                local.hour(),
                local.minute(),
                self.code()
            ),
            Language::English => format!(
                "{} {} {}, {:02}:{:02} {}",
                local.day(),
                MONTHS_EN[month],
                local.year(),
                local.hour(),
                local.minute(),
                self.code()
            ),
        }
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_reads_in_the_readers_clock_and_language() {
        // 2026-12-01 17:30 UTC is past midnight in Jakarta.
        let at = DateTime::parse_from_rfc3339("2026-12-01T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            IndonesianTime::Wib.write(at, Language::Indonesian),
            "2 Desember 2026 pukul 00.30 WIB"
        );
        assert_eq!(
            IndonesianTime::Wit.write(at, Language::English),
            "2 December 2026, 02:30 WIT"
        );
        assert_eq!(
            IndonesianTime::from_code("wita"),
            Some(IndonesianTime::Wita)
        );
        assert_eq!(IndonesianTime::from_code("UTC"), None);
    }
}
