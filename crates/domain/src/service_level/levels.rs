//! The service levels in force: the rules and the working calendar they count in, read
//! once at start and handed to whatever changes a ticket, so that the API and the worker
//! measure alike.

use chrono::{DateTime, Utc};

use crate::calendar::BusinessCalendar;
use crate::lifecycle::Status;

use super::clock::{Clock, Standing};
use super::rules::{ServiceLevelRules, ServiceLine};
use super::ticket::{ClockChange, TicketClocks};

#[derive(Debug, Clone)]
pub struct ServiceLevels {
    rules: ServiceLevelRules,
    calendar: BusinessCalendar,
}

/// What a queue needs of a ticket's clocks, kept on the ticket: when the first running
/// clock falls due and is at risk, and when one went past its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClocksSummary {
    pub due_at: Option<DateTime<Utc>>,
    pub at_risk_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
}

impl ClocksSummary {
    /// How the ticket stands at `now`, from what its row keeps: breached once a clock
    /// went past its target or a running one is past due; at risk once the first at-risk
    /// instant has passed; on track while a clock runs; `None` when none runs and none
    /// is at risk or breached (the ticket waits in time, or is done within its targets).
    pub fn standing(&self, now: DateTime<Utc>) -> Option<Standing> {
        if self.breached_at.is_some() || self.due_at.is_some_and(|due| due < now) {
            Some(Standing::Breached)
        } else if self.at_risk_at.is_some_and(|at| at <= now) {
            Some(Standing::AtRisk)
        } else if self.due_at.is_some() {
            Some(Standing::OnTrack)
        } else {
            None
        }
    }
}

impl ServiceLevels {
    pub fn new(rules: ServiceLevelRules, calendar: BusinessCalendar) -> Self {
        Self { rules, calendar }
    }

    pub fn rules(&self) -> &ServiceLevelRules {
        &self.rules
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    /// A ticket of `line`, now in `status`, its clocks brought in step at `at`
    /// ([`TicketClocks::follow`]).
    pub fn follow(
        &self,
        clocks: &mut TicketClocks,
        line: ServiceLine,
        status: Status,
        desk_acted: bool,
        at: DateTime<Utc>,
    ) -> Vec<ClockChange> {
        clocks.follow(
            status,
            desk_acted,
            at,
            self.rules.targets(line),
            &self.rules,
            &self.calendar,
        )
    }

    /// When a running clock falls due; `None` while it waits or once stopped.
    pub fn due(&self, clock: &Clock) -> Option<DateTime<Utc>> {
        clock.due(&self.calendar)
    }

    /// When a running clock is at risk.
    pub fn at_risk_from(&self, clock: &Clock) -> Option<DateTime<Utc>> {
        clock.at_risk_from(&self.calendar, self.rules.at_risk_after(clock.target))
    }

    pub fn standing(&self, clock: &Clock, now: DateTime<Utc>) -> Standing {
        clock.standing(&self.calendar, now, self.rules.at_risk_after(clock.target))
    }

    /// The working time a clock has used by `now`.
    pub fn used(&self, clock: &Clock, now: DateTime<Utc>) -> chrono::Duration {
        clock.used_at(&self.calendar, now)
    }

    pub fn summary(&self, clocks: &TicketClocks) -> ClocksSummary {
        ClocksSummary {
            due_at: clocks.earliest_due(&self.calendar),
            at_risk_at: clocks.earliest_at_risk(&self.calendar, &self.rules),
            breached_at: clocks.iter().filter_map(|clock| clock.breached_at).min(),
        }
    }
}
