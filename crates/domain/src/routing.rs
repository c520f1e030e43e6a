//! Routing: which RA queue a new ticket lands in. The rules are data (a table a
//! supervisor edits); this is how they are checked when written, read back against the
//! unit catalogue in force, and applied: in order, first match wins, the default queue
//! catches the rest, and a rule that no longer reads is passed over in the open.

use serde::{Deserialize, Serialize};

use crate::identity::{Unit, UnitCatalogue};
use crate::problem::{Message, Problem, ProblemCode};
use crate::service::Service;

pub const MAX_QUEUE_CHARS: usize = 64;

/// A queue's name: lower-case letters, digits, `-` and `_`, as it appears in URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueName(String);

impl QueueName {
    pub fn parse(raw: &str) -> Result<Self, (ProblemCode, Message)> {
        let name = raw.trim();
        let valid = !name.is_empty()
            && name.len() <= MAX_QUEUE_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err((
                ProblemCode::QueueName,
                Message::new(
                    format!(
                        "Nama antrean hanya huruf kecil, angka, - dan _, paling banyak {MAX_QUEUE_CHARS} karakter."
                    ),
                    format!(
                        "A queue name has only lower-case letters, digits, - and _, at most {MAX_QUEUE_CHARS} characters."
                    ),
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One rule: a ticket of `service` (any, if `None`) from `unit` (any, if `None`) goes to
/// `queue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    pub service: Option<Service>,
    pub unit: Option<Unit>,
    pub queue: QueueName,
}

/// A rule as written: in a supervisor's `PUT /api/v1/routing-rules`, or as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleFields {
    /// A service code; absent (or `null`) for any service.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Service>))]
    pub service: Option<String>,
    /// An Eselon I unit; absent for any unit.
    pub unit: Option<String>,
    pub queue: String,
}

impl RoutingRule {
    /// The rule `fields` write, against the unit catalogue in force; else every problem,
    /// each naming its field (`service`, `unit`, `queue`).
    pub fn check(fields: &RuleFields, units: &UnitCatalogue) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let service = fields.service.as_deref().and_then(|code| {
            let service = Service::from_code(code);
            if service.is_none() {
                problems.push(Problem::new(
                    "service",
                    ProblemCode::ServiceUnknown,
                    Message::new(
                        "Layanan: 15.1, 15.2 atau 15.3.",
                        "Service: 15.1, 15.2 or 15.3.",
                    ),
                ));
            }
            service
        });
        let unit = fields.unit.as_deref().and_then(|name| {
            units
                .resolve(name)
                .map_err(|e| problems.push(Problem::at("unit", &e)))
                .ok()
        });
        let queue = QueueName::parse(&fields.queue)
            .map_err(|(code, message)| problems.push(Problem::new("queue", code, message)))
            .ok();
        match queue {
            Some(queue) if problems.is_empty() => Ok(Self {
                service,
                unit,
                queue,
            }),
            _ => Err(problems),
        }
    }

    /// The rule written out again, in the forms the rules keep.
    pub fn fields(&self) -> RuleFields {
        RuleFields {
            service: self.service.map(|s| s.code().to_owned()),
            unit: self.unit.as_ref().map(|u| u.as_str().to_owned()),
            queue: self.queue.as_str().to_owned(),
        }
    }

    fn matches(&self, service: Service, unit: &Unit) -> bool {
        self.service.is_none_or(|s| s == service) && self.unit.as_ref().is_none_or(|u| u == unit)
    }
}

/// A stored rule, read against the rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredRule {
    Current(RoutingRule),
    /// It no longer reads (its unit left the catalogue, say): shown as stored, with the
    /// problems, for a supervisor to fix. Routing cannot apply it, and says so.
    Broken {
        fields: RuleFields,
        problems: Vec<Problem>,
    },
}

impl StoredRule {
    pub fn read(fields: RuleFields, units: &UnitCatalogue) -> Self {
        match RoutingRule::check(&fields, units) {
            Ok(rule) => Self::Current(rule),
            Err(problems) => Self::Broken { fields, problems },
        }
    }

    pub fn fields(&self) -> RuleFields {
        match self {
            Self::Current(rule) => rule.fields(),
            Self::Broken { fields, .. } => fields.clone(),
        }
    }

    /// What the rule breaks today; empty for a current one.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Current(_) => &[],
            Self::Broken { problems, .. } => problems,
        }
    }

    /// The queue this rule sends tickets to, if it still reads.
    pub fn queue(&self) -> Option<&QueueName> {
        match self {
            Self::Current(rule) => Some(&rule.queue),
            Self::Broken { .. } => None,
        }
    }
}

/// Where routing sent a ticket, and which broken rules it had to pass over on the way
/// (by position, from 1): one of them may have been meant for this ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed<'r> {
    pub queue: &'r QueueName,
    pub passed_over: Vec<usize>,
}

/// The queue for a ticket of `service` from `unit`: the first rule that matches, in
/// order, else `default`. A rule that no longer reads cannot match; it is passed over,
/// and the answer names it.
pub fn route<'r>(
    service: Service,
    unit: &Unit,
    rules: &'r [StoredRule],
    default: &'r QueueName,
) -> Routed<'r> {
    let mut passed_over = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        match rule {
            StoredRule::Current(rule) if rule.matches(service, unit) => {
                return Routed {
                    queue: &rule.queue,
                    passed_over,
                };
            }
            StoredRule::Current(_) => {}
            StoredRule::Broken { .. } => passed_over.push(index + 1),
        }
    }
    Routed {
        queue: default,
        passed_over,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{UnitCatalogue, UnitEntry};

    fn unit(name: &str) -> Unit {
        UnitCatalogue::new(
            ["Sekretariat Jenderal", "Direktorat Jenderal Pajak"].map(|n| UnitEntry {
                name: n.into(),
                aliases: vec![],
            }),
        )
        .resolve(name)
        .unwrap()
    }

    fn queue(name: &str) -> QueueName {
        QueueName::parse(name).unwrap()
    }

    #[test]
    fn first_matching_rule_wins_and_the_default_catches_the_rest() {
        let rules = [
            RoutingRule {
                service: Some(Service::Revocation),
                unit: None,
                queue: queue("revocations"),
            },
            RoutingRule {
                service: None,
                unit: Some(unit("Direktorat Jenderal Pajak")),
                queue: queue("djp"),
            },
            RoutingRule {
                service: Some(Service::Revocation),
                unit: Some(unit("Direktorat Jenderal Pajak")),
                queue: queue("never"),
            },
        ]
        .map(StoredRule::Current);
        let default = queue("general");
        let djp = unit("Direktorat Jenderal Pajak");
        let setjen = unit("Sekretariat Jenderal");
        assert_eq!(
            route(Service::Revocation, &djp, &rules, &default)
                .queue
                .as_str(),
            "revocations"
        );
        assert_eq!(
            route(Service::ManualIssuance, &djp, &rules, &default)
                .queue
                .as_str(),
            "djp"
        );
        assert_eq!(
            route(Service::ManualIssuance, &setjen, &rules, &default)
                .queue
                .as_str(),
            "general"
        );
    }

    fn catalogue() -> UnitCatalogue {
        UnitCatalogue::new(["Sekretariat Jenderal"].map(|n| UnitEntry {
            name: n.into(),
            aliases: vec!["Setjen".into()],
        }))
    }

    fn written(service: Option<&str>, unit: Option<&str>, queue: &str) -> RuleFields {
        RuleFields {
            service: service.map(str::to_owned),
            unit: unit.map(str::to_owned),
            queue: queue.into(),
        }
    }

    #[test]
    fn a_rule_is_checked_into_every_problem_and_kept_in_its_checked_form() {
        let rule = RoutingRule::check(
            &written(Some("15.3"), Some("setjen"), "ra-setjen"),
            &catalogue(),
        )
        .unwrap();
        assert_eq!(
            rule.fields(),
            written(Some("15.3"), Some("Sekretariat Jenderal"), "ra-setjen")
        );
        let problems = RoutingRule::check(
            &written(Some("15.9"), Some("Biro Lama"), "RA Umum"),
            &catalogue(),
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["service", "unit", "queue"]);
    }

    #[test]
    fn a_rule_that_no_longer_reads_is_passed_over_and_named() {
        let units = catalogue();
        let rules = [
            StoredRule::read(written(None, Some("Biro Lama"), "biro-lama"), &units),
            StoredRule::read(written(Some("15.3"), None, "revocations"), &units),
            StoredRule::read(written(None, Some("Unit Lain"), "lain"), &units),
        ];
        assert_eq!(rules[0].problems()[0].code, ProblemCode::UnitUnknown);
        assert_eq!(
            rules[0].fields().unit.as_deref(),
            Some("Biro Lama"),
            "as stored"
        );
        let default = queue("general");
        let setjen = units.resolve("Sekretariat Jenderal").unwrap();
        let revocation = route(Service::Revocation, &setjen, &rules, &default);
        assert_eq!(revocation.queue.as_str(), "revocations");
        assert_eq!(
            revocation.passed_over,
            [1],
            "only the broken rules before the match"
        );
        let issuance = route(Service::ManualIssuance, &setjen, &rules, &default);
        assert_eq!(issuance.queue.as_str(), "general");
        assert_eq!(issuance.passed_over, [1, 3]);
    }

    #[test]
    fn queue_names_are_url_safe() {
        assert!(QueueName::parse("ra-15_1").is_ok());
        for bad in ["", "RA", "ra queue", "ra/1", &"q".repeat(65)] {
            assert!(QueueName::parse(bad).is_err(), "{bad}");
        }
    }
}
