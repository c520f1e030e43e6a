//! The desk's working calendar, as the program starts it: the rules from `[calendar]`,
//! the years of days off this build ships, and the files `calendar.days_off_files` names
//! (a file for a shipped year replaces it: the government has amended a year's joint
//! leave before). A year the desk will need but has no days off for is said at start.

use certdesk_domain::DeskRules;
use certdesk_domain::calendar::{BusinessCalendar, CalendarRules, SHIPPED_YEARS, YearOfDaysOff};
use certdesk_domain::service_level::ServiceLevels;
use std::collections::BTreeMap;

/// The calendar, or why it cannot be read (a file missing or malformed, by name and line).
pub fn load(rules: &CalendarRules) -> Result<BusinessCalendar, String> {
    let mut years: BTreeMap<i32, YearOfDaysOff> = SHIPPED_YEARS
        .iter()
        .filter_map(|text| YearOfDaysOff::parse(text).ok())
        .map(|year| (year.year, year))
        .collect();
    let mut from_files = BTreeMap::new();
    for path in &rules.days_off_files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("calendar.days_off_files: {path}: {e}"))?;
        let year = YearOfDaysOff::parse(&text)
            .map_err(|e| format!("calendar.days_off_files: {path}: {e}"))?;
        if let Some(other) = from_files.insert(year.year, path.clone()) {
            return Err(format!(
                "calendar.days_off_files: {path} and {other} both give the days off of {}",
                year.year
            ));
        }
        years.insert(year.year, year);
    }
    BusinessCalendar::new(rules.clone(), years.into_values().collect())
}

/// The service levels in force: `[service_levels]` counted on the calendar.
pub fn service_levels(rules: &DeskRules) -> Result<ServiceLevels, String> {
    Ok(ServiceLevels::new(
        rules.service_levels.clone(),
        load(&rules.calendar)?,
    ))
}

/// Says, once at start, which years the calendar lacks: in them every holiday counts as
/// a working day.
pub fn warn_of_missing_years(calendar: &BusinessCalendar) {
    let missing = calendar.missing_years(chrono::Utc::now());
    if !missing.is_empty() {
        tracing::warn!(
            ?missing,
            known = ?calendar.years().collect::<Vec<_>>(),
            "the calendar has no days off for these years: their holidays count as working days. \
             Add each year's file from the joint decree (calendar.days_off_files)"
        );
    }
}
