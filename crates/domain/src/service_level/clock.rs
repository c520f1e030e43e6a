//! One clock of a ticket. It counts working time only, so a clock started on a Friday
//! evening has used nothing by Monday at eight; paused, it keeps what it has used and
//! goes on from there when resumed.

use chrono::{DateTime, Duration, Utc};

use crate::calendar::BusinessCalendar;
use crate::vocabulary::serde_as_code;

/// What a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClockKind {
    /// The responsible officer's endorsement, from filing.
    Endorsement,
    /// The desk's first act, from the moment the ticket reaches a queue.
    FirstResponse,
    /// The resolution, from the moment the ticket reaches a queue.
    Resolution,
}

impl ClockKind {
    pub const ALL: [ClockKind; 3] = [Self::Endorsement, Self::FirstResponse, Self::Resolution];

    pub fn code(self) -> &'static str {
        match self {
            Self::Endorsement => "endorsement",
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

serde_as_code!(ClockKind, "clock");

/// Why a clock waits: the desk cannot go on until someone else acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pause {
    /// The agent asked the requester for a fix or a document.
    AwaitingRequester,
    /// The requester must act on the authority's link.
    RequesterAtAuthority,
    /// The agent acted at the authority and waits for it (when configured to pause).
    WaitingOnAuthority,
}

impl Pause {
    pub const ALL: [Pause; 3] = [
        Self::AwaitingRequester,
        Self::RequesterAtAuthority,
        Self::WaitingOnAuthority,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingRequester => "awaiting_requester",
            Self::RequesterAtAuthority => "requester_at_authority",
            Self::WaitingOnAuthority => "waiting_on_authority",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

serde_as_code!(Pause, "pause");

/// Where a clock is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Running {
        since: DateTime<Utc>,
    },
    Paused {
        since: DateTime<Utc>,
        why: Pause,
    },
    /// Done: what it measured happened, or the ticket ended. A resolution clock starts
    /// again from here when its ticket is reopened.
    Stopped {
        at: DateTime<Utc>,
    },
}

/// How a clock stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    /// Within the share of its target before it is at risk.
    OnTrack,
    /// Past that share, not past the target.
    AtRisk,
    /// Past the target.
    Breached,
    /// Stopped within its target.
    Met,
}

impl Standing {
    pub const ALL: [Standing; 4] = [Self::OnTrack, Self::AtRisk, Self::Breached, Self::Met];

    pub fn code(self) -> &'static str {
        match self {
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::Breached => "breached",
            Self::Met => "met",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

serde_as_code!(Standing, "standing");

/// One clock: its target, the working time it used before its current phase began, and
/// the phase. The target is fixed when the clock starts: a change of the rules applies
/// to clocks started after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub kind: ClockKind,
    pub target: Duration,
    /// Working time used up to the start of the current phase.
    pub used: Duration,
    pub phase: Phase,
    /// When it went past its target (its due instant), once known: kept when it stops
    /// or pauses, so that a clock that ran late stays breached.
    pub breached_at: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn start(kind: ClockKind, target: Duration, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            target,
            used: Duration::zero(),
            phase: Phase::Running { since: at },
            breached_at: None,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running { .. })
    }

    /// The working time used by `now`.
    pub fn used_at(&self, calendar: &BusinessCalendar, now: DateTime<Utc>) -> Duration {
        match self.phase {
            Phase::Running { since } => self.used + calendar.working_time_between(since, now),
            Phase::Paused { .. } | Phase::Stopped { .. } => self.used,
        }
    }

    /// When a running clock reaches its target; `None` while it waits or once stopped.
    pub fn due(&self, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        self.when_used(calendar, self.target)
    }

    /// When a clock has used `share` (`ServiceLevelRules::at_risk_after`) of its target:
    /// the instant it is at risk, for a running clock; for one that waits at risk, the
    /// instant it began to wait (it was at risk by then). `None` for a clock that waits
    /// in time, or has stopped.
    pub fn at_risk_from(
        &self,
        calendar: &BusinessCalendar,
        share: Duration,
    ) -> Option<DateTime<Utc>> {
        match self.phase {
            Phase::Paused { since, .. } if self.used >= share => Some(since),
            _ => self.when_used(calendar, share),
        }
    }

    /// When a running clock will have used `amount` in all: at once (its run's start) if
    /// it already has.
    fn when_used(&self, calendar: &BusinessCalendar, amount: Duration) -> Option<DateTime<Utc>> {
        match self.phase {
            Phase::Running { since } if amount > self.used => {
                Some(calendar.add_working_time(since, amount - self.used))
            }
            Phase::Running { since } => Some(since),
            Phase::Paused { .. } | Phase::Stopped { .. } => None,
        }
    }

    /// How it stands at `now`; `at_risk_after` is the rules' share of its target.
    pub fn standing(
        &self,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        at_risk_after: Duration,
    ) -> Standing {
        let used = self.used_at(calendar, now);
        let late = self.breached_at.is_some()
            || used > self.target
            || self.due(calendar).is_some_and(|due| due < now);
        match self.phase {
            _ if late => Standing::Breached,
            Phase::Stopped { .. } => Standing::Met,
            _ if used >= at_risk_after => Standing::AtRisk,
            _ => Standing::OnTrack,
        }
    }

    /// Waits from `at`, for `why`; what it used so far is kept.
    pub(super) fn pause(&mut self, calendar: &BusinessCalendar, at: DateTime<Utc>, why: Pause) {
        self.settle(calendar, at);
        self.phase = Phase::Paused { since: at, why };
    }

    /// Runs again from `at`, from what it had used.
    pub(super) fn resume(&mut self, at: DateTime<Utc>) {
        self.phase = Phase::Running { since: at };
    }

    pub(super) fn stop(&mut self, calendar: &BusinessCalendar, at: DateTime<Utc>) {
        self.settle(calendar, at);
        self.phase = Phase::Stopped { at };
    }

    /// Ends the current run at `at`: its working time added to what was used, and the
    /// instant it went past its target kept if it did.
    fn settle(&mut self, calendar: &BusinessCalendar, at: DateTime<Utc>) {
        if let Phase::Running { since } = self.phase {
            if self.breached_at.is_none()
                && let Some(due) = self.due(calendar)
                && due < at
            {
                self.breached_at = Some(due);
            }
            self.used += calendar.working_time_between(since, at);
        }
    }
}
