//! Routing: which RA queue a new ticket lands in. The rules are data (a table a
//! supervisor edits); this is only how they are read: in order, first match wins, and the
//! default queue catches the rest.

use crate::identity::Unit;
use crate::problem::{Message, ProblemCode};
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

impl RoutingRule {
    fn matches(&self, service: Service, unit: &Unit) -> bool {
        self.service.is_none_or(|s| s == service) && self.unit.as_ref().is_none_or(|u| u == unit)
    }
}

/// The queue for a ticket of `service` from `unit`.
pub fn route<'r>(
    service: Service,
    unit: &Unit,
    rules: &'r [RoutingRule],
    default: &'r QueueName,
) -> &'r QueueName {
    rules
        .iter()
        .find(|rule| rule.matches(service, unit))
        .map_or(default, |rule| &rule.queue)
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
        let rules = vec![
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
        ];
        let default = queue("general");
        let djp = unit("Direktorat Jenderal Pajak");
        let setjen = unit("Sekretariat Jenderal");
        assert_eq!(
            route(Service::Revocation, &djp, &rules, &default).as_str(),
            "revocations"
        );
        assert_eq!(
            route(Service::ManualIssuance, &djp, &rules, &default).as_str(),
            "djp"
        );
        assert_eq!(
            route(Service::ManualIssuance, &setjen, &rules, &default).as_str(),
            "general"
        );
    }

    #[test]
    fn queue_names_are_url_safe() {
        assert!(QueueName::parse("ra-15_1").is_ok());
        for bad in ["", "RA", "ra queue", "ra/1", &"q".repeat(65)] {
            assert!(QueueName::parse(bad).is_err(), "{bad}");
        }
    }
}
