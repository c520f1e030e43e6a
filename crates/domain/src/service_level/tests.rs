use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::{BusinessCalendar, CalendarRules};
use crate::lifecycle::Status;
use crate::service::{ChangeKind, Service};

fn desk() -> BusinessCalendar {
    BusinessCalendar::shipped(CalendarRules::default())
}

/// A time on the WIB clock.
fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(7)
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn targets(first_response: i64, resolution: i64) -> Targets {
    Targets {
        first_response: hours(first_response),
        resolution: hours(resolution),
    }
}

#[test]
fn every_line_has_a_target_and_a_ticket_finds_its_line() {
    let rules = ServiceLevelRules::default();
    for line in ServiceLine::ALL {
        let targets = rules.targets(line);
        assert!(targets.first_response > Duration::zero());
        assert!(targets.first_response <= targets.resolution, "{line:?}");
    }
    assert_eq!(
        ServiceLine::of(Service::CertificateChange, Some(ChangeKind::Renewal)),
        Some(ServiceLine::Renewal)
    );
    assert_eq!(ServiceLine::of(Service::CertificateChange, None), None);
    assert_eq!(
        rules.targets(ServiceLine::Revocation).resolution,
        hours(8),
        "a revocation within a working day"
    );
}

#[test]
fn the_section_reads_in_part_and_refuses_what_cannot_work() {
    let read = |json: &str| serde_json::from_str::<ServiceLevelRules>(json);
    assert_eq!(read("{}").unwrap(), ServiceLevelRules::default());
    let rules = read(r#"{"revocation": {"resolution_hours": 4}, "at_risk_percent": 50}"#).unwrap();
    assert_eq!(rules.targets(ServiceLine::Revocation), targets(2, 4));
    assert_eq!(rules.at_risk_after(hours(4)), hours(2));
    assert_eq!(
        rules.targets(ServiceLine::Renewal),
        ServiceLevelRules::default().targets(ServiceLine::Renewal)
    );
    for (written, named) in [
        (r#"{"at_risk_percent": 100}"#, "at_risk_percent"),
        (
            r#"{"renewal": {"first_response_hours": 0}}"#,
            "renewal.first_response_hours",
        ),
        (
            r#"{"revocation": {"first_response_hours": 9}}"#,
            "service_levels.revocation",
        ),
        (r#"{"endorsement_hours": 100000}"#, "endorsement_hours"),
        (r#"{"revocation": {"resolution": 4}}"#, "resolution"),
    ] {
        let refused = read(written).unwrap_err().to_string();
        assert!(refused.contains(named), "{written}: {refused}");
    }
    let shown = serde_json::to_value(ServiceLevelRules::default()).unwrap();
    assert_eq!(shown["revocation"]["resolution_hours"], 8);
    assert_eq!(
        read(&shown.to_string()).unwrap(),
        ServiceLevelRules::default()
    );
}

/// The worked example of `docs/domain.md`, "Service levels": a revocation filed on the
/// last afternoon before a long weekend with joint leave waits it out, and its clock
/// keeps its place across a pause for the requester.
#[test]
fn a_revocation_filed_before_the_long_weekend_of_nyepi_and_idulfitri() {
    let desk = desk();
    let rules = ServiceLevelRules::default();
    let line = rules.targets(ServiceLine::Revocation);
    let mut clocks = TicketClocks::default();
    // Tuesday 17 March 2026, 15:30: an hour and a half before the desk closes for
    // Nyepi, Idulfitri and their joint leave (18 to 24 March).
    let filed = wib(2026, 3, 17, 15, 30);
    let changes = clocks.follow(Status::Submitted, false, filed, line, &rules, &desk);
    assert_eq!(
        changes,
        [
            ClockChange::Started(ClockKind::FirstResponse),
            ClockChange::Started(ClockKind::Resolution)
        ]
    );
    // First response (2 h): 30 minutes that day, 90 the next working day.
    assert_eq!(
        clocks.first_response.unwrap().due(&desk),
        Some(wib(2026, 3, 25, 9, 30))
    );
    assert_eq!(clocks.earliest_due(&desk), Some(wib(2026, 3, 25, 9, 30)));
    // At risk at 75 % of 2 h: 90 minutes in, on the Wednesday after the holidays.
    assert_eq!(
        clocks.earliest_at_risk(&desk, &rules),
        Some(wib(2026, 3, 25, 9, 0))
    );
    assert_eq!(
        clocks.standing(&desk, wib(2026, 3, 23, 12, 0), &rules),
        Some(Standing::OnTrack),
        "nothing counts over the holidays"
    );

    // Claimed at 08:30 on the 25th: the first response is met.
    let claimed = wib(2026, 3, 25, 8, 30);
    let changes = clocks.follow(Status::InReview, true, claimed, line, &rules, &desk);
    assert_eq!(
        changes,
        [ClockChange::Stopped(
            ClockKind::FirstResponse,
            Standing::Met
        )]
    );
    // Asked the requester at 10:00: the resolution has used 30 + 120 minutes, and waits.
    let asked = wib(2026, 3, 25, 10, 0);
    let changes = clocks.follow(Status::AwaitingRequester, true, asked, line, &rules, &desk);
    assert_eq!(
        changes,
        [ClockChange::Paused(
            ClockKind::Resolution,
            Pause::AwaitingRequester
        )]
    );
    let resolution = clocks.resolution.unwrap();
    assert_eq!(resolution.used, Duration::minutes(150));
    assert_eq!(clocks.earliest_due(&desk), None, "nothing runs");
    // The requester answers the next Monday at 14:00: 5 h 30 m left, two of them that
    // afternoon, so due on Tuesday at 11:30.
    let answered = wib(2026, 3, 30, 14, 0);
    let changes = clocks.follow(Status::InReview, false, answered, line, &rules, &desk);
    assert_eq!(changes, [ClockChange::Resumed(ClockKind::Resolution)]);
    assert_eq!(
        clocks.resolution.unwrap().due(&desk),
        Some(wib(2026, 3, 31, 11, 30))
    );
    // Resolved late, at 13:00 on Tuesday: breached, and it stays so once stopped.
    let resolved = wib(2026, 3, 31, 13, 0);
    let changes = clocks.follow(Status::Resolved, true, resolved, line, &rules, &desk);
    assert_eq!(
        changes,
        [ClockChange::Stopped(
            ClockKind::Resolution,
            Standing::Breached
        )]
    );
    assert_eq!(
        clocks.resolution.unwrap().breached_at,
        Some(wib(2026, 3, 31, 11, 30))
    );
    assert_eq!(
        clocks.standing(&desk, wib(2026, 4, 10, 9, 0), &rules),
        Some(Standing::Breached)
    );
}

#[test]
fn an_endorsement_runs_first_and_the_desks_clocks_start_when_the_ticket_reaches_a_queue() {
    let desk = desk();
    let rules = ServiceLevelRules::default();
    let line = rules.targets(ServiceLine::ManualIssuance);
    let mut clocks = TicketClocks::default();
    let filed = wib(2026, 6, 8, 9, 0);
    let changes = clocks.follow(
        Status::AwaitingEndorsement,
        false,
        filed,
        line,
        &rules,
        &desk,
    );
    assert_eq!(changes, [ClockChange::Started(ClockKind::Endorsement)]);
    // Two working days: due on Wednesday at 09:00.
    assert_eq!(clocks.earliest_due(&desk), Some(wib(2026, 6, 10, 9, 0)));
    let endorsed = wib(2026, 6, 9, 9, 0);
    let changes = clocks.follow(Status::Submitted, false, endorsed, line, &rules, &desk);
    assert_eq!(
        changes,
        [
            ClockChange::Stopped(ClockKind::Endorsement, Standing::Met),
            ClockChange::Started(ClockKind::FirstResponse),
            ClockChange::Started(ClockKind::Resolution),
        ]
    );
    // Cancelled by the requester: everything stops, nothing starts again.
    let cancelled = wib(2026, 6, 9, 10, 0);
    let changes = clocks.follow(Status::Cancelled, false, cancelled, line, &rules, &desk);
    assert_eq!(changes.len(), 2);
    assert!(clocks.iter().all(|clock| !clock.is_running()));
    assert!(
        clocks
            .follow(Status::Cancelled, false, cancelled, line, &rules, &desk)
            .is_empty()
    );
}

#[test]
fn a_reopened_ticket_resumes_its_resolution_and_not_its_first_response() {
    let desk = desk();
    let rules = ServiceLevelRules::default();
    let line = targets(2, 8);
    let mut clocks = TicketClocks::default();
    clocks.follow(
        Status::Submitted,
        false,
        wib(2026, 6, 8, 9, 0),
        line,
        &rules,
        &desk,
    );
    clocks.follow(
        Status::Resolved,
        true,
        wib(2026, 6, 8, 12, 0),
        line,
        &rules,
        &desk,
    );
    let changes = clocks.follow(
        Status::InReview,
        false,
        wib(2026, 6, 9, 9, 0),
        line,
        &rules,
        &desk,
    );
    assert_eq!(changes, [ClockChange::Resumed(ClockKind::Resolution)]);
    // Three hours used before: five left from 09:00.
    assert_eq!(clocks.earliest_due(&desk), Some(wib(2026, 6, 9, 14, 0)));
}

#[test]
fn waiting_on_the_authority_counts_unless_configured_otherwise() {
    let desk = desk();
    let line = targets(2, 8);
    for pauses in [false, true] {
        let rules = ServiceLevelRules {
            authority_pauses: pauses,
            ..ServiceLevelRules::default()
        };
        let mut clocks = TicketClocks::default();
        clocks.follow(
            Status::InReview,
            true,
            wib(2026, 6, 8, 9, 0),
            line,
            &rules,
            &desk,
        );
        let changes = clocks.follow(
            Status::WaitingOnAuthority,
            true,
            wib(2026, 6, 8, 10, 0),
            line,
            &rules,
            &desk,
        );
        assert_eq!(
            changes,
            if pauses {
                vec![ClockChange::Paused(
                    ClockKind::Resolution,
                    Pause::WaitingOnAuthority,
                )]
            } else {
                vec![]
            }
        );
    }
}

/// An instant within a few weeks of working days and days off in 2026.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..60 * 24 * 60).prop_map(|minutes| wib(2026, 3, 1, 0, 0) + Duration::minutes(minutes))
}

fn status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

proptest! {
    /// However a ticket moves, a clock never uses more working time than has passed
    /// since it started, its due instant is when it will have used its target, and a
    /// clock that stopped stays where it stopped (the resolution's reopening aside).
    #[test]
    fn clocks_keep_honest_time(
        start in instant(),
        moves in proptest::collection::vec((status(), any::<bool>(), 1i64..3000), 1..12),
        pauses in any::<bool>(),
    ) {
        let desk = desk();
        let rules = ServiceLevelRules { authority_pauses: pauses, ..ServiceLevelRules::default() };
        let line = targets(2, 8);
        let mut clocks = TicketClocks::default();
        clocks.follow(Status::Submitted, false, start, line, &rules, &desk);
        let mut at = start;
        for (status, desk_acted, minutes) in moves {
            at += Duration::minutes(minutes);
            let before = clocks.clone();
            clocks.follow(status, desk_acted, at, line, &rules, &desk);
            for clock in clocks.iter() {
                let used = clock.used_at(&desk, at);
                prop_assert!(used <= desk.working_time_between(start, at));
                prop_assert!(used >= Duration::zero());
                if let Some(due) = clock.due(&desk)
                    && clock.used < clock.target
                {
                    prop_assert!(desk.is_working_instant(due));
                    prop_assert_eq!(clock.used_at(&desk, due), clock.target);
                }
            }
            if let (Some(was), Some(now)) = (before.first_response, clocks.first_response)
                && matches!(was.phase, Phase::Stopped { .. })
            {
                prop_assert_eq!(was, now, "a first response once given stays given");
            }
        }
    }

    /// A clock that runs reaches its target exactly at its due instant.
    #[test]
    fn a_running_clock_is_due_when_it_has_used_its_target(
        start in instant(),
        used_minutes in 0i64..600,
        target_hours in 1i64..40,
    ) {
        let desk = desk();
        let clock = Clock {
            used: Duration::minutes(used_minutes),
            ..Clock::start(ClockKind::Resolution, hours(target_hours), start)
        };
        let due = clock.due(&desk).unwrap();
        if clock.used < clock.target {
            prop_assert_eq!(clock.used_at(&desk, due), clock.target);
            prop_assert!(desk.is_working_instant(due));
        } else {
            prop_assert_eq!(due, start);
        }
    }
}

#[test]
fn a_ticket_row_stands_as_its_clocks_do() {
    let desk = desk();
    let levels = ServiceLevels::new(ServiceLevelRules::default(), desk.clone());
    let line = ServiceLine::Revocation;
    let filed = wib(2026, 6, 8, 9, 0);
    let mut clocks = TicketClocks::default();
    levels.follow(&mut clocks, line, Status::Submitted, false, filed);
    let summary = levels.summary(&clocks);
    // First response: 2 h, at risk after 90 minutes.
    assert_eq!(summary.due_at, Some(wib(2026, 6, 8, 11, 0)));
    assert_eq!(summary.at_risk_at, Some(wib(2026, 6, 8, 10, 30)));
    for (now, standing) in [
        (wib(2026, 6, 8, 10, 0), Standing::OnTrack),
        (wib(2026, 6, 8, 10, 45), Standing::AtRisk),
        (wib(2026, 6, 8, 11, 1), Standing::Breached),
    ] {
        assert_eq!(summary.standing(now), Some(standing), "{now}");
        let worst = clocks.standing(&desk, now, levels.rules());
        assert_eq!(
            worst,
            Some(standing),
            "the row and the clocks agree at {now}"
        );
    }
    // Claimed at 10:45 and asked the requester at once: the resolution waits at 105 of
    // its 480 minutes, in time; the row says nothing runs and nothing is at risk.
    let at = wib(2026, 6, 8, 10, 45);
    levels.follow(&mut clocks, line, Status::InReview, true, at);
    levels.follow(&mut clocks, line, Status::AwaitingRequester, true, at);
    let summary = levels.summary(&clocks);
    assert_eq!((summary.due_at, summary.at_risk_at), (None, None));
    assert_eq!(summary.standing(wib(2026, 6, 9, 9, 0)), None);
}

#[test]
fn a_clock_that_waits_at_risk_is_at_risk_from_when_it_began_to_wait() {
    let desk = desk();
    let levels = ServiceLevels::new(ServiceLevelRules::default(), desk);
    let mut clocks = TicketClocks::default();
    let line = ServiceLine::Revocation;
    levels.follow(
        &mut clocks,
        line,
        Status::InReview,
        true,
        wib(2026, 6, 8, 8, 0),
    );
    // Seven of the resolution's eight hours used, then the desk asks the requester.
    let asked = wib(2026, 6, 8, 15, 0);
    levels.follow(&mut clocks, line, Status::AwaitingRequester, true, asked);
    let summary = levels.summary(&clocks);
    assert_eq!(summary.at_risk_at, Some(asked));
    assert_eq!(
        summary.standing(wib(2026, 6, 10, 9, 0)),
        Some(Standing::AtRisk)
    );
}
