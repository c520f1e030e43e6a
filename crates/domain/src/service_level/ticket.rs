//! A ticket's clocks kept in step with its life. After each change (a transition, or the
//! desk's first act without one, a public comment), [`TicketClocks::follow`] is told the
//! ticket's state and whether the desk acted, and starts, pauses, resumes or stops each
//! clock accordingly:
//!
//! | clock | runs | waits | stops |
//! |---|---|---|---|
//! | endorsement | awaiting endorsement | — | when the ticket leaves it |
//! | first response | submitted, in review | while the desk waits (below) | at the desk's first act, or when the ticket ends |
//! | resolution | submitted, in review | while the desk waits (below) | resolved or ended; reopened, it goes on from where it stopped |
//!
//! The desk waits while it asked the requester for something, while the requester must
//! act on the authority's link, and, if `[service_levels]` says so, while it waits on
//! the authority.

use chrono::{DateTime, Utc};

use crate::calendar::BusinessCalendar;
use crate::lifecycle::Status;

use super::clock::{Clock, ClockKind, Pause, Phase, Standing};
use super::rules::{ServiceLevelRules, Targets};

/// A ticket's clocks; one not started yet is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketClocks {
    pub endorsement: Option<Clock>,
    pub first_response: Option<Clock>,
    pub resolution: Option<Clock>,
}

/// What happened to one clock: each is an entry of the ticket's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockChange {
    Started(ClockKind),
    Paused(ClockKind, Pause),
    Resumed(ClockKind),
    /// Stopped, and how it ended: met or breached.
    Stopped(ClockKind, Standing),
}

/// What a ticket's state asks of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    NotYet,
    Run,
    Wait(Pause),
    Stop,
}

impl TicketClocks {
    /// Brings the clocks in step with a ticket now in `status`, at `at`; `desk_acted` when
    /// RA staff acted on it (a claim, an action, a public comment). `targets` are the
    /// ticket's line's, used by the clocks that start now. Returns what changed, in the
    /// clocks' order.
    pub fn follow(
        &mut self,
        status: Status,
        desk_acted: bool,
        at: DateTime<Utc>,
        targets: Targets,
        rules: &ServiceLevelRules,
        calendar: &BusinessCalendar,
    ) -> Vec<ClockChange> {
        let with_the_desk = wanted_of_the_desk(status, rules);
        let endorsement = if status == Status::AwaitingEndorsement {
            Wanted::Run
        } else {
            Wanted::Stop
        };
        let first_response = if desk_acted {
            Wanted::Stop
        } else {
            with_the_desk
        };
        let mut changes = Vec::new();
        for (slot, kind, wanted, target) in [
            (
                &mut self.endorsement,
                ClockKind::Endorsement,
                endorsement,
                rules.endorsement,
            ),
            (
                &mut self.first_response,
                ClockKind::FirstResponse,
                first_response,
                targets.first_response,
            ),
            (
                &mut self.resolution,
                ClockKind::Resolution,
                with_the_desk,
                targets.resolution,
            ),
        ] {
            step(
                slot,
                kind,
                wanted,
                target,
                at,
                rules,
                calendar,
                &mut changes,
            );
        }
        changes
    }

    pub fn iter(&self) -> impl Iterator<Item = &Clock> {
        [&self.endorsement, &self.first_response, &self.resolution]
            .into_iter()
            .flatten()
    }

    /// The earliest instant a running clock falls due: what a queue sorts by.
    pub fn earliest_due(&self, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        self.iter().filter_map(|clock| clock.due(calendar)).min()
    }

    /// The earliest instant a running clock is at risk.
    pub fn earliest_at_risk(
        &self,
        calendar: &BusinessCalendar,
        rules: &ServiceLevelRules,
    ) -> Option<DateTime<Utc>> {
        self.iter()
            .filter_map(|clock| clock.at_risk_from(calendar, rules.at_risk_after(clock.target)))
            .min()
    }

    /// The worst standing of the clocks that have not stopped within their target, at
    /// `now`: what a queue shows. `None` when no clock has started.
    pub fn standing(
        &self,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        rules: &ServiceLevelRules,
    ) -> Option<Standing> {
        self.iter()
            .map(|clock| clock.standing(calendar, now, rules.at_risk_after(clock.target)))
            .max_by_key(|standing| match standing {
                Standing::Met => 0,
                Standing::OnTrack => 1,
                Standing::AtRisk => 2,
                Standing::Breached => 3,
            })
    }
}

/// What the ticket's state asks of the clocks measuring the desk.
fn wanted_of_the_desk(status: Status, rules: &ServiceLevelRules) -> Wanted {
    match status {
        Status::AwaitingEndorsement => Wanted::NotYet,
        Status::Submitted | Status::InReview => Wanted::Run,
        Status::AwaitingRequester => Wanted::Wait(Pause::AwaitingRequester),
        Status::AwaitingRequesterAtAuthority => Wanted::Wait(Pause::RequesterAtAuthority),
        Status::WaitingOnAuthority if rules.authority_pauses => {
            Wanted::Wait(Pause::WaitingOnAuthority)
        }
        Status::WaitingOnAuthority => Wanted::Run,
        Status::Resolved | Status::Closed | Status::Rejected | Status::Cancelled => Wanted::Stop,
    }
}

/// One clock brought to what is wanted of it.
#[allow(clippy::too_many_arguments)]
fn step(
    slot: &mut Option<Clock>,
    kind: ClockKind,
    wanted: Wanted,
    target: chrono::Duration,
    at: DateTime<Utc>,
    rules: &ServiceLevelRules,
    calendar: &BusinessCalendar,
    changes: &mut Vec<ClockChange>,
) {
    let Some(clock) = slot else {
        // A clock starts only when what it measures begins: a ticket that never reached
        // a queue has no first-response clock to pause or stop.
        if wanted == Wanted::Run {
            *slot = Some(Clock::start(kind, target, at));
            changes.push(ClockChange::Started(kind));
        }
        return;
    };
    match (clock.phase, wanted) {
        (_, Wanted::NotYet)
        | (Phase::Running { .. }, Wanted::Run)
        | (Phase::Stopped { .. }, Wanted::Wait(_) | Wanted::Stop) => {}
        (Phase::Paused { why, .. }, Wanted::Wait(now_why)) => {
            // Still waiting, on someone else now: the pause goes on, its reason changes.
            if why != now_why {
                clock.pause(calendar, at, now_why);
                changes.push(ClockChange::Paused(kind, now_why));
            }
        }
        (Phase::Running { .. }, Wanted::Wait(why)) => {
            clock.pause(calendar, at, why);
            changes.push(ClockChange::Paused(kind, why));
        }
        (Phase::Paused { .. }, Wanted::Run) => {
            clock.resume(at);
            changes.push(ClockChange::Resumed(kind));
        }
        // A reopened ticket: its resolution goes on from where it stopped. The first
        // response, once given, stays given; an endorsement, once decided, stays so.
        (Phase::Stopped { .. }, Wanted::Run) => {
            if kind == ClockKind::Resolution {
                clock.resume(at);
                changes.push(ClockChange::Resumed(kind));
            }
        }
        (Phase::Running { .. } | Phase::Paused { .. }, Wanted::Stop) => {
            clock.stop(calendar, at);
            let ended = clock.standing(calendar, at, rules.at_risk_after(clock.target));
            changes.push(ClockChange::Stopped(kind, ended));
        }
    }
}
