//! The lifecycle's rules that operators own: `[lifecycle]` (endorsement, the reopen
//! window, the authority's link, the default queue) and `[timers]` (when an officer is
//! reminded of an endorsement). Each has one default, here; configuration is read into
//! these types and checked as it is read, so a desk never starts on a rule that means
//! nothing.

use std::collections::BTreeSet;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::routing::QueueName;
use crate::service::Service;

use super::Status;

/// The longest an authority's link may be said to work: 30 days.
pub const MAX_LINK_VALIDITY_HOURS: u64 = 24 * 30;

/// The lifecycle's settings, which operators own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LifecycleSection", into = "LifecycleSection")]
pub struct LifecycleRules {
    /// Services whose tickets wait for the responsible officer's endorsement first.
    pub endorsement: BTreeSet<Service>,
    /// How long after resolution a ticket may be reopened.
    pub reopen_window: Duration,
    /// How long the authority's link to the requester works once sent.
    pub link_validity: Duration,
    /// Where a new ticket goes when no routing rule matches it.
    pub default_queue: QueueName,
}

impl LifecycleRules {
    /// The state a new ticket of `service` starts in.
    pub fn initial_status(&self, service: Service) -> Status {
        if self.endorsement.contains(&service) {
            Status::AwaitingEndorsement
        } else {
            Status::Submitted
        }
    }
}

impl Default for LifecycleRules {
    /// Issuance and revocation are vouched for by the officer; a resolved ticket may be
    /// reopened for a week; the authority's links work for 24 hours; unrouted tickets go
    /// to `general`.
    fn default() -> Self {
        Self {
            endorsement: BTreeSet::from([Service::ManualIssuance, Service::Revocation]),
            reopen_window: Duration::days(7),
            link_validity: Duration::hours(24),
            default_queue: QueueName::parse("general").unwrap_or_else(|_| unreachable!()),
        }
    }
}

/// `[lifecycle]` as it is written.
#[derive(Serialize, Deserialize)]
#[serde(default)]
struct LifecycleSection {
    /// By code. An environment variable written `[15.1, 15.3]` reads as numbers; they
    /// are taken as the codes they look like.
    #[serde(deserialize_with = "service_codes")]
    endorsement_services: Vec<String>,
    reopen_window_hours: u64,
    link_validity_hours: u64,
    default_queue: String,
}

impl Default for LifecycleSection {
    fn default() -> Self {
        LifecycleRules::default().into()
    }
}

impl From<LifecycleRules> for LifecycleSection {
    fn from(rules: LifecycleRules) -> Self {
        Self {
            endorsement_services: rules
                .endorsement
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            reopen_window_hours: whole_hours(rules.reopen_window),
            link_validity_hours: whole_hours(rules.link_validity),
            default_queue: rules.default_queue.as_str().to_owned(),
        }
    }
}

impl TryFrom<LifecycleSection> for LifecycleRules {
    type Error = String;

    /// A value that reads but means nothing stops the start with a message naming it.
    fn try_from(section: LifecycleSection) -> Result<Self, String> {
        let endorsement = section
            .endorsement_services
            .iter()
            .map(|code| {
                Service::from_code(code).ok_or_else(|| {
                    format!(
                        "lifecycle.endorsement_services: {code:?} is not a service (15.1, 15.2 or 15.3)"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let reopen_window = hours(section.reopen_window_hours)
            .ok_or("lifecycle.reopen_window_hours is too large")?;
        let link_validity = Some(section.link_validity_hours)
            .filter(|h| (1..=MAX_LINK_VALIDITY_HOURS).contains(h))
            .and_then(hours)
            .ok_or_else(|| {
                format!("lifecycle.link_validity_hours must be 1 to {MAX_LINK_VALIDITY_HOURS}")
            })?;
        let default_queue = QueueName::parse(&section.default_queue).map_err(|(_, message)| {
            format!(
                "lifecycle.default_queue {:?}: {}",
                section.default_queue, message.en
            )
        })?;
        Ok(Self {
            endorsement,
            reopen_window,
            link_validity,
            default_queue,
        })
    }
}

/// When an officer hears that an endorsement waits: `[timers]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TimersSection", into = "TimersSection")]
pub struct ReminderRules {
    /// How long an endorsement may wait before the officer is reminded.
    pub endorsement_reminder_after: Duration,
    /// How often the reminder comes again while it still waits.
    pub endorsement_reminder_every: Duration,
}

impl Default for ReminderRules {
    /// Two working days for an endorsement, then a reminder every day.
    fn default() -> Self {
        Self {
            endorsement_reminder_after: Duration::hours(48),
            endorsement_reminder_every: Duration::hours(24),
        }
    }
}

/// `[timers]` as it is written (the worker reads its own `interval_secs` beside these).
#[derive(Serialize, Deserialize)]
#[serde(default)]
struct TimersSection {
    /// Hours an endorsement may wait before its officer is reminded.
    endorsement_reminder_hours: u64,
    /// Hours between two reminders of the same endorsement.
    endorsement_repeat_hours: u64,
}

impl Default for TimersSection {
    fn default() -> Self {
        ReminderRules::default().into()
    }
}

impl From<ReminderRules> for TimersSection {
    fn from(rules: ReminderRules) -> Self {
        Self {
            endorsement_reminder_hours: whole_hours(rules.endorsement_reminder_after),
            endorsement_repeat_hours: whole_hours(rules.endorsement_reminder_every),
        }
    }
}

impl TryFrom<TimersSection> for ReminderRules {
    type Error = String;

    fn try_from(section: TimersSection) -> Result<Self, String> {
        Ok(Self {
            endorsement_reminder_after: hours(section.endorsement_reminder_hours)
                .ok_or("timers.endorsement_reminder_hours is too large")?,
            // Every hour at most: a reminder each pass would be noise, not a reminder.
            endorsement_reminder_every: hours(section.endorsement_repeat_hours.max(1))
                .ok_or("timers.endorsement_repeat_hours is too large")?,
        })
    }
}

/// A number of hours as a duration; `None` past what a date can hold (a century is
/// plenty for any rule of this desk).
fn hours(hours: u64) -> Option<Duration> {
    const CENTURY_HOURS: u64 = 100 * 366 * 24;
    (hours <= CENTURY_HOURS).then(|| Duration::hours(hours as i64))
}

fn whole_hours(duration: Duration) -> u64 {
    duration.num_hours().unsigned_abs()
}

/// A list of service codes, written as strings (`["15.1", "15.3"]`) or, as an unquoted
/// list in an environment variable comes out, as numbers.
fn service_codes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Text(String),
        Number(f64),
    }
    Ok(Vec::<Code>::deserialize(deserializer)?
        .into_iter()
        .map(|code| match code {
            Code::Text(text) => text,
            Code::Number(number) => number.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifecycle(json: &str) -> Result<LifecycleRules, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn the_defaults_read_back_as_written() {
        let written = serde_json::to_string(&LifecycleRules::default()).unwrap();
        assert_eq!(lifecycle(&written).unwrap(), LifecycleRules::default());
        assert_eq!(lifecycle("{}").unwrap(), LifecycleRules::default());
        let timers: ReminderRules = serde_json::from_str("{}").unwrap();
        assert_eq!(timers, ReminderRules::default());
    }

    /// An unquoted list (`[15.1, 15.3]`, as people write it in an environment variable)
    /// reads as numbers; they are the codes they look like.
    #[test]
    fn endorsement_services_read_as_strings_or_as_numbers() {
        for written in ["[15.1, 15.3]", r#"["15.1","15.3"]"#] {
            let rules = lifecycle(&format!(r#"{{"endorsement_services": {written}}}"#)).unwrap();
            assert_eq!(rules, LifecycleRules::default(), "{written}");
        }
        let refused = lifecycle(r#"{"endorsement_services": [15.4]}"#).unwrap_err();
        assert!(refused.contains("\"15.4\""), "{refused}");
    }

    #[test]
    fn a_rule_that_means_nothing_is_refused_by_its_key() {
        for (json, key) in [
            (
                r#"{"link_validity_hours": 0}"#,
                "lifecycle.link_validity_hours",
            ),
            (
                r#"{"link_validity_hours": 721}"#,
                "lifecycle.link_validity_hours",
            ),
            (r#"{"default_queue": "RA Umum"}"#, "lifecycle.default_queue"),
            (
                r#"{"reopen_window_hours": 18446744073709551615}"#,
                "lifecycle.reopen_window_hours",
            ),
        ] {
            let refused = lifecycle(json).unwrap_err();
            assert!(refused.contains(key), "{json}: {refused}");
        }
    }

    #[test]
    fn a_reminder_comes_again_at_most_hourly() {
        let rules: ReminderRules =
            serde_json::from_str(r#"{"endorsement_repeat_hours": 0}"#).unwrap();
        assert_eq!(rules.endorsement_reminder_every, Duration::hours(1));
    }
}
