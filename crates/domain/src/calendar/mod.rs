//! The desk's working time. Service levels are measured in it: a target of 8 working hours
//! filed at 15:30 on the last working day before a long weekend falls due in the middle
//! of the next working day, not on the holiday.
//!
//! - which days and hours the desk works, and on which of Indonesia's clocks: `[calendar]`
//!   ([`CalendarRules`]), Monday to Friday, 08:00 to 16:00 WIB by default;
//! - which days it does not: national holidays and *cuti bersama*, one data file per year
//!   from the government's joint decree (`days_off.rs`; the years shipped are in
//!   `crates/domain/calendars/`);
//! - the arithmetic: working time between two instants, and an instant plus working
//!   time. Pure, and held by property tests below.

mod days_off;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

pub use days_off::{DayOff, DayOffKind, DaysOffError, YearOfDaysOff};

use crate::local_time::IndonesianTime;

/// The years of days off this build carries, one file each, from the joint decrees.
pub const SHIPPED_YEARS: &[&str] = &[include_str!("../../calendars/2026.tsv")];

/// When the desk works: `[calendar]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarSection", into = "CalendarSection")]
pub struct CalendarRules {
    /// The clock the hours are read on.
    pub zone: IndonesianTime,
    /// Working days of the week.
    pub days: BTreeSet<WeekdayOrd>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// More years of days off, as files of the same form as the shipped ones (a year
    /// not shipped yet, or a regional holiday's): read by the program that starts.
    pub days_off_files: Vec<String>,
}

/// A weekday that sorts Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekdayOrd(u8);

impl WeekdayOrd {
    pub fn of(day: Weekday) -> Self {
        Self(day.num_days_from_monday() as u8)
    }

    const CODES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    fn code(self) -> &'static str {
        Self::CODES[usize::from(self.0)]
    }

    fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        Self::CODES
            .iter()
            .position(|c| code.starts_with(c))
            .map(|i| Self(i as u8))
    }
}

impl Default for CalendarRules {
    /// The ministry's office hours: Monday to Friday, 08:00 to 16:00, Western Indonesia.
    fn default() -> Self {
        Self {
            zone: IndonesianTime::Wib,
            days: [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .map(WeekdayOrd::of)
            .into(),
            opens: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            closes: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or(NaiveTime::MIN),
            days_off_files: Vec::new(),
        }
    }
}

/// `[calendar]` as it is written.
#[derive(Serialize, Deserialize)]
#[serde(default)]
struct CalendarSection {
    /// `WIB`, `WITA` or `WIT`.
    zone: String,
    /// `mon` … `sun`.
    working_days: Vec<String>,
    /// `HH:MM`.
    opens: String,
    closes: String,
    days_off_files: Vec<String>,
}

impl Default for CalendarSection {
    fn default() -> Self {
        CalendarRules::default().into()
    }
}

impl From<CalendarRules> for CalendarSection {
    fn from(rules: CalendarRules) -> Self {
        Self {
            zone: rules.zone.code().to_owned(),
            working_days: rules.days.iter().map(|d| d.code().to_owned()).collect(),
            opens: rules.opens.format("%H:%M").to_string(),
            closes: rules.closes.format("%H:%M").to_string(),
            days_off_files: rules.days_off_files,
        }
    }
}

impl TryFrom<CalendarSection> for CalendarRules {
    type Error = String;

    fn try_from(section: CalendarSection) -> Result<Self, String> {
        let zone = IndonesianTime::from_code(&section.zone)
            .ok_or_else(|| format!("calendar.zone {:?} is none of WIB, WITA, WIT", section.zone))?;
        let days = section
            .working_days
            .iter()
            .map(|day| {
                WeekdayOrd::from_code(day).ok_or_else(|| {
                    format!("calendar.working_days: {day:?} is not a day (mon … sun)")
                })
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        if days.is_empty() {
            return Err("calendar.working_days names no day: the desk would never work".into());
        }
        let time = |key: &str, written: &str| {
            NaiveTime::parse_from_str(written.trim(), "%H:%M")
                .map_err(|_| format!("calendar.{key} {written:?} is not a time of day (HH:MM)"))
        };
        let opens = time("opens", &section.opens)?;
        let closes = time("closes", &section.closes)?;
        if closes <= opens {
            return Err(format!(
                "calendar.closes ({}) must be after calendar.opens ({})",
                section.closes, section.opens
            ));
        }
        Ok(Self {
            zone,
            days,
            opens,
            closes,
            days_off_files: section.days_off_files,
        })
    }
}

/// The working time of one desk: its rules and its years of days off.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    rules: CalendarRules,
    days_off: BTreeMap<NaiveDate, DayOff>,
    /// Each known year, and the decree its days come from.
    years: BTreeMap<i32, String>,
}

impl BusinessCalendar {
    /// The rules with these years of days off; a year given twice is refused (two
    /// files would disagree about it sooner or later).
    pub fn new(rules: CalendarRules, years: Vec<YearOfDaysOff>) -> Result<Self, String> {
        let mut calendar = Self {
            rules,
            days_off: BTreeMap::new(),
            years: BTreeMap::new(),
        };
        for year in years {
            if calendar.years.insert(year.year, year.source).is_some() {
                return Err(format!("two files give the days off of {}", year.year));
            }
            for day in year.days {
                calendar.days_off.insert(day.date, day);
            }
        }
        Ok(calendar)
    }

    /// The rules, with the years this build ships.
    pub fn shipped(rules: CalendarRules) -> Self {
        let years = SHIPPED_YEARS
            .iter()
            .filter_map(|text| YearOfDaysOff::parse(text).ok())
            .collect();
        Self::new(rules, years).unwrap_or_else(|_| unreachable!("the shipped years are distinct"))
    }

    pub fn rules(&self) -> &CalendarRules {
        &self.rules
    }

    /// The years whose days off are known.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Where a known year's days off come from.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(String::as_str)
    }

    /// Of the year `today` falls in and the next, those whose days off are not known:
    /// working time in them counts every holiday as a working day.
    pub fn missing_years(&self, today: DateTime<Utc>) -> Vec<i32> {
        let year = self.local(today).year();
        [year, year + 1]
            .into_iter()
            .filter(|y| !self.years.contains_key(y))
            .collect()
    }

    /// A year's days off, in order.
    pub fn days_off(&self, year: i32) -> impl Iterator<Item = &DayOff> {
        self.days_off
            .values()
            .filter(move |day| day.date.year() == year)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.rules.days.contains(&WeekdayOrd::of(date.weekday()))
            && !self.days_off.contains_key(&date)
    }

    /// The working time from `from` to `to`; none when `to` is not after `from`.
    pub fn working_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let (start, end) = (self.local(from), self.local(to));
        let mut total = Duration::zero();
        let mut date = start.date();
        while date <= end.date() {
            if self.is_working_day(date) {
                let opens = date.and_time(self.rules.opens).max(start);
                let closes = date.and_time(self.rules.closes).min(end);
                if closes > opens {
                    total += closes - opens;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// The instant when `amount` of working time has passed since `from`: never outside
    /// working time (an instant off hours with nothing to add is the next opening, and a
    /// total that ends a working day exactly ends it at closing time).
    pub fn add_working_time(&self, from: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        let mut left = amount.max(Duration::zero());
        let mut at = self.local(from);
        loop {
            let date = at.date();
            if self.is_working_day(date) {
                let opens = date.and_time(self.rules.opens).max(at);
                let closes = date.and_time(self.rules.closes);
                if opens < closes {
                    let today = closes - opens;
                    if left <= today {
                        return self.utc(opens + left);
                    }
                    left -= today;
                }
            }
            match date.succ_opt() {
                Some(next) => at = next.and_time(NaiveTime::MIN),
                None => return DateTime::<Utc>::MAX_UTC,
            }
        }
    }

    /// Whether `at` is within working hours of a working day (closing time included).
    pub fn is_working_instant(&self, at: DateTime<Utc>) -> bool {
        let local = self.local(at);
        self.is_working_day(local.date())
            && local.time() >= self.rules.opens
            && local.time() <= self.rules.closes
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + self.rules.zone.offset()
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - self.rules.zone.offset()).and_utc()
    }
}

#[cfg(test)]
mod tests;
