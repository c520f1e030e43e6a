//! The desk's rules that operators own, together: which mail domains are official, how a
//! ticket lives (endorsement, reopening, the authority's link, the default queue), when
//! the clocks remind, how long personal data is kept, and when the desk works. Each has one default, beside
//! its type; the program reads configuration into [`DeskRules`] once and hands it to the
//! API, the worker and the commands alike, so no part keeps a rule of its own.

use serde::{Deserialize, Serialize};

use crate::calendar::CalendarRules;
use crate::identity::{EmailDomains, UnitCatalogue};
use crate::intake::IntakeRules;
use crate::lifecycle::{DeadlineRules, LifecycleRules, ReminderRules};
use crate::retention::RetentionPolicy;
use crate::service_level::ServiceLevelRules;

/// Every rule of the desk that configuration may change. Read as the top level of the
/// configuration: `email_domains`, `[lifecycle]`, `[timers]`, `[retention]`,
/// `[calendar]`, `[service_levels]`; a key left out keeps its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskRules {
    /// Mail domains accepted for official emails; empty means every `go.id` domain.
    pub email_domains: EmailDomains,
    pub lifecycle: LifecycleRules,
    /// When an officer is reminded of a waiting endorsement.
    pub timers: ReminderRules,
    /// How long personal data of ended tickets is kept.
    pub retention: RetentionPolicy,
    /// When the desk works: the days, the hours, the clock, more years of days off.
    pub calendar: CalendarRules,
    /// How long the desk may take, in working time, and when a clock is at risk.
    pub service_levels: ServiceLevelRules,
}

impl DeskRules {
    /// What the timer pass goes by.
    pub fn deadlines(&self) -> DeadlineRules {
        DeadlineRules::new(&self.lifecycle, &self.timers)
    }

    /// What a ticket's fields, and a directory entry's, are checked against: these rules
    /// and the unit catalogue in force.
    pub fn intake<'a>(&'a self, units: &'a UnitCatalogue) -> IntakeRules<'a> {
        IntakeRules {
            units,
            email_domains: &self.email_domains,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desk_with_no_configuration_has_every_default() {
        let rules: DeskRules = serde_json::from_str("{}").unwrap();
        assert_eq!(rules, DeskRules::default());
        assert_eq!(
            rules.email_domains.as_slice(),
            ["kemenkeu.go.id", "customs.go.id"]
        );
        assert_eq!(rules.lifecycle.default_queue.as_str(), "general");
    }

    #[test]
    fn a_section_written_in_part_keeps_the_rest_of_its_defaults() {
        let rules: DeskRules = serde_json::from_str(
            r#"{"email_domains": ["Pajak.go.id "], "lifecycle": {"link_validity_hours": 12},
                "retention": {"scan_days": 7}}"#,
        )
        .unwrap();
        assert_eq!(rules.email_domains.as_slice(), ["pajak.go.id"]);
        assert_eq!(rules.lifecycle.link_validity, chrono::Duration::hours(12));
        assert_eq!(
            rules.lifecycle.reopen_window,
            LifecycleRules::default().reopen_window
        );
        assert_eq!(rules.retention.scan_days, 7);
        assert_eq!(
            rules.retention.letter_days,
            RetentionPolicy::default().letter_days
        );
        assert_eq!(
            rules.deadlines().reopen_window,
            rules.lifecycle.reopen_window
        );
    }
}
