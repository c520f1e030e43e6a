//! A year's days off as its file writes them: a header naming the source (the joint
//! decree of the Ministers of Religious Affairs, Manpower, and Administrative Reform),
//! then one day a line, `date<TAB>kind<TAB>name`, kind `holiday` (a national holiday) or
//! `cuti_bersama` (joint leave, which the civil service takes off too). Every date of a
//! file is in one year.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOffKind {
    /// *Hari libur nasional.*
    Holiday,
    /// *Cuti bersama*: joint leave the government sets beside the holidays.
    JointLeave,
}

impl DayOffKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::JointLeave => "cuti_bersama",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(Self::Holiday),
            "cuti_bersama" => Some(Self::JointLeave),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    pub date: NaiveDate,
    pub kind: DayOffKind,
    pub name: String,
}

/// One year's days off, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearOfDaysOff {
    pub year: i32,
    pub source: String,
    pub days: Vec<DayOff>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {why}")]
pub struct DaysOffError {
    pub line: usize,
    pub why: String,
}

impl YearOfDaysOff {
    pub fn parse(text: &str) -> Result<Self, DaysOffError> {
        let mut source = None;
        let mut days: Vec<DayOff> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let fail = |why: String| DaysOffError { line: number, why };
            let line = line.trim_end();
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(named) = comment.trim().strip_prefix("source:") {
                    source = Some(named.trim().to_owned());
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(date), Some(kind), Some(name)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(fail(
                    "expected date, kind and name, separated by tabs".into(),
                ));
            };
            let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .map_err(|_| fail(format!("{date:?} is not a date (YYYY-MM-DD)")))?;
            let kind = DayOffKind::from_code(kind.trim())
                .ok_or_else(|| fail(format!("{kind:?} is neither holiday nor cuti_bersama")))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(fail("the day has no name".into()));
            }
            if let Some(first) = days.first()
                && first.date.year() != date.year()
            {
                return Err(fail(format!(
                    "{date} is not in {}: one file, one year",
                    first.date.year()
                )));
            }
            if days.iter().any(|d| d.date == date) {
                return Err(fail(format!("{date} is listed twice")));
            }
            days.push(DayOff {
                date,
                kind,
                name: name.to_owned(),
            });
        }
        let source = source.filter(|s| !s.is_empty()).ok_or(DaysOffError {
            line: 1,
            why: "no `# source:` line naming the decree the days come from".into(),
        })?;
        let year = days.first().map(|d| d.date.year()).ok_or(DaysOffError {
            line: 1,
            why: "no days".into(),
        })?;
        days.sort_by_key(|d| d.date);
        Ok(Self { year, source, days })
    }
}
