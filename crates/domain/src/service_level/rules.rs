//! `[service_levels]`: the targets operators set, in working hours, with their defaults.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::service::{ChangeKind, Service};

/// What a target is counted against: a service, and for 15.2 its sub-type, since a new
/// passphrase link and a data change are not the same amount of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceLine {
    /// 15.1.
    ManualIssuance,
    /// 15.2, data change.
    DataChange,
    /// 15.2, a new set-passphrase link.
    PassphraseLink,
    /// 15.2, passphrase reset.
    PassphraseReset,
    /// 15.2, renewal.
    Renewal,
    /// 15.3.
    Revocation,
}

impl ServiceLine {
    pub const ALL: [ServiceLine; 6] = [
        Self::ManualIssuance,
        Self::DataChange,
        Self::PassphraseLink,
        Self::PassphraseReset,
        Self::Renewal,
        Self::Revocation,
    ];

    /// The line of a ticket; 15.2 without a sub-type (which intake refuses) has none.
    pub fn of(service: Service, subtype: Option<ChangeKind>) -> Option<Self> {
        match (service, subtype) {
            (Service::ManualIssuance, _) => Some(Self::ManualIssuance),
            (Service::Revocation, _) => Some(Self::Revocation),
            (Service::CertificateChange, Some(kind)) => Some(match kind {
                ChangeKind::DataChange => Self::DataChange,
                ChangeKind::PassphraseLink => Self::PassphraseLink,
                ChangeKind::PassphraseReset => Self::PassphraseReset,
                ChangeKind::Renewal => Self::Renewal,
            }),
            (Service::CertificateChange, None) => None,
        }
    }

    /// The key of its table in `[service_levels]`.
    pub fn code(self) -> &'static str {
        match self {
            Self::ManualIssuance => "manual_issuance",
            Self::DataChange => "data_change",
            Self::PassphraseLink => "passphrase_link",
            Self::PassphraseReset => "passphrase_reset",
            Self::Renewal => "renewal",
            Self::Revocation => "revocation",
        }
    }

    /// The default targets, in working hours of an eight-hour day. Revocation and the
    /// passphrase requests are one sitting at the authority and a certificate someone
    /// cannot use (or must stop being trusted): a working day. Issuance and a data
    /// change need the HRIS record checked and the authority's register changed: three
    /// working days; a renewal, two. Everyone hears from the desk within half a day, a
    /// revocation or a locked-out person within a quarter.
    fn default_targets(self) -> Targets {
        let (first_response, resolution) = match self {
            Self::ManualIssuance | Self::DataChange => (4, 24),
            Self::Renewal => (4, 16),
            Self::PassphraseLink | Self::PassphraseReset | Self::Revocation => (2, 8),
        };
        Targets {
            first_response: Duration::hours(first_response),
            resolution: Duration::hours(resolution),
        }
    }
}

/// The working time the desk may take over one line's tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Until the desk's first act: a claim, an action, or a public comment by staff.
    pub first_response: Duration,
    /// Until the ticket is resolved.
    pub resolution: Duration,
}

/// Service levels: `[service_levels]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ServiceLevelsSection", into = "ServiceLevelsSection")]
pub struct ServiceLevelRules {
    pub(super) targets: [Targets; 6],
    /// The officer's target for an endorsement.
    pub endorsement: Duration,
    /// A clock is at risk once it has used this share of its target, in per cent.
    pub at_risk_percent: u8,
    /// Whether the clocks stop while the desk waits on the certificate authority.
    pub authority_pauses: bool,
}

impl ServiceLevelRules {
    pub fn targets(&self, line: ServiceLine) -> Targets {
        self.targets[line as usize]
    }

    /// The working time after which a clock of `target` is at risk.
    pub fn at_risk_after(&self, target: Duration) -> Duration {
        Duration::seconds(target.num_seconds() * i64::from(self.at_risk_percent) / 100)
    }
}

impl Default for ServiceLevelRules {
    /// Two working days for an endorsement (the old reminder came after 48 hours); at
    /// risk at three quarters; waiting on the authority counts, because the requester
    /// waits all the same and a ticket stuck there is one a supervisor must see.
    fn default() -> Self {
        Self {
            targets: ServiceLine::ALL.map(ServiceLine::default_targets),
            endorsement: Duration::hours(16),
            at_risk_percent: 75,
            authority_pauses: false,
        }
    }
}

/// The longest target accepted, in working hours: about a quarter of a year of working
/// days (a target longer than that is no service level).
const MAX_TARGET_HOURS: u32 = 500;

/// `[service_levels]` as it is written.
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ServiceLevelsSection {
    at_risk_percent: u8,
    waiting_on_authority_pauses: bool,
    endorsement_hours: u32,
    manual_issuance: LineSection,
    data_change: LineSection,
    passphrase_link: LineSection,
    passphrase_reset: LineSection,
    renewal: LineSection,
    revocation: LineSection,
}

/// One line's targets as written; a key left out keeps that line's default.
#[derive(Default, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LineSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    first_response_hours: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_hours: Option<u32>,
}

impl ServiceLevelsSection {
    fn line(&self, line: ServiceLine) -> LineSection {
        match line {
            ServiceLine::ManualIssuance => self.manual_issuance,
            ServiceLine::DataChange => self.data_change,
            ServiceLine::PassphraseLink => self.passphrase_link,
            ServiceLine::PassphraseReset => self.passphrase_reset,
            ServiceLine::Renewal => self.renewal,
            ServiceLine::Revocation => self.revocation,
        }
    }
}

impl Default for ServiceLevelsSection {
    fn default() -> Self {
        ServiceLevelRules::default().into()
    }
}

impl From<ServiceLevelRules> for ServiceLevelsSection {
    fn from(rules: ServiceLevelRules) -> Self {
        let line = |line: ServiceLine| {
            let targets = rules.targets(line);
            LineSection {
                first_response_hours: Some(whole_hours(targets.first_response)),
                resolution_hours: Some(whole_hours(targets.resolution)),
            }
        };
        Self {
            at_risk_percent: rules.at_risk_percent,
            waiting_on_authority_pauses: rules.authority_pauses,
            endorsement_hours: whole_hours(rules.endorsement),
            manual_issuance: line(ServiceLine::ManualIssuance),
            data_change: line(ServiceLine::DataChange),
            passphrase_link: line(ServiceLine::PassphraseLink),
            passphrase_reset: line(ServiceLine::PassphraseReset),
            renewal: line(ServiceLine::Renewal),
            revocation: line(ServiceLine::Revocation),
        }
    }
}

impl TryFrom<ServiceLevelsSection> for ServiceLevelRules {
    type Error = String;

    fn try_from(section: ServiceLevelsSection) -> Result<Self, String> {
        if !(1..=99).contains(&section.at_risk_percent) {
            return Err(format!(
                "service_levels.at_risk_percent is {}: a share of the target between 1 and 99",
                section.at_risk_percent
            ));
        }
        let hours = |key: &str, written: u32| {
            if (1..=MAX_TARGET_HOURS).contains(&written) {
                Ok(Duration::hours(i64::from(written)))
            } else {
                Err(format!(
                    "service_levels.{key} is {written}: working hours between 1 and {MAX_TARGET_HOURS}"
                ))
            }
        };
        let mut targets = ServiceLine::ALL.map(ServiceLine::default_targets);
        for line in ServiceLine::ALL {
            let written = section.line(line);
            let target = &mut targets[line as usize];
            if let Some(first) = written.first_response_hours {
                target.first_response =
                    hours(&format!("{}.first_response_hours", line.code()), first)?;
            }
            if let Some(resolution) = written.resolution_hours {
                target.resolution =
                    hours(&format!("{}.resolution_hours", line.code()), resolution)?;
            }
            if target.first_response > target.resolution {
                return Err(format!(
                    "service_levels.{}: the first response ({} h) cannot be due after the resolution ({} h)",
                    line.code(),
                    target.first_response.num_hours(),
                    target.resolution.num_hours()
                ));
            }
        }
        Ok(Self {
            targets,
            endorsement: hours("endorsement_hours", section.endorsement_hours)?,
            at_risk_percent: section.at_risk_percent,
            authority_pauses: section.waiting_on_authority_pauses,
        })
    }
}

fn whole_hours(duration: Duration) -> u32 {
    u32::try_from(duration.num_hours()).unwrap_or(u32::MAX)
}
