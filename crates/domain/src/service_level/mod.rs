//! Service levels: how long the desk may take over a ticket, counted in working time
//! (the [`calendar`](crate::calendar)), and where each of a ticket's clocks stands.
//!
//! - `rules.rs`: `[service_levels]`, the targets of each service line (15.1, each 15.2
//!   sub-type, 15.3) for the first response and the resolution, the officer's target for
//!   an endorsement, the share of a target past which a clock is at risk, and whether
//!   waiting on the authority stops the clocks;
//! - `clock.rs`: one clock: started, paused and resumed, stopped; the working time it
//!   has used, when it falls due, and how it stands (on track, at risk, breached, met);
//! - `ticket.rs`: a ticket's three clocks kept in step with its life: after each change
//!   of state, and after the desk's first act, which clocks run, wait or stop, and what
//!   changed (the history's entries);
//! - `levels.rs`: the rules and the calendar in force, together: what the store and the
//!   API measure with.

mod clock;
mod levels;
mod rules;
mod ticket;

#[cfg(test)]
mod tests;

pub use clock::{Clock, ClockKind, Pause, Phase, Standing};
pub use levels::{ClocksSummary, ServiceLevels};
pub use rules::{ServiceLevelRules, ServiceLine, Targets};
pub use ticket::{ClockChange, TicketClocks};
