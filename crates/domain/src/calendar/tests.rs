use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

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

#[test]
fn the_shipped_year_is_the_decrees_seventeen_holidays_and_eight_days_of_joint_leave() {
    let desk = desk();
    assert_eq!(desk.years().collect::<Vec<_>>(), [2026]);
    let days: Vec<&DayOff> = desk.days_off(2026).collect();
    let holidays = days
        .iter()
        .filter(|d| d.kind == DayOffKind::Holiday)
        .count();
    assert_eq!((holidays, days.len() - holidays), (17, 8));
    let shipped = YearOfDaysOff::parse(SHIPPED_YEARS[0]).unwrap();
    assert!(
        shipped.source.contains("Nomor 1497 Tahun 2025"),
        "{}",
        shipped.source
    );
}

/// The worked examples of `docs/domain.md`, "Working time".
#[test]
fn worked_examples() {
    let desk = desk();
    // The last afternoon before Nyepi, Idulfitri and their joint leave (18 to 24 March
    // 2026, a weekend inside): 30 minutes on the Tuesday, the rest the next working day.
    assert_eq!(
        desk.add_working_time(wib(2026, 3, 17, 15, 30), hours(8)),
        wib(2026, 3, 25, 15, 30)
    );
    // Filed after closing on a Friday: the clock starts on Monday morning.
    assert_eq!(
        desk.add_working_time(wib(2026, 12, 4, 16, 55), hours(4)),
        wib(2026, 12, 7, 12, 0)
    );
    // Filed on Christmas Eve's joint leave: Christmas and the weekend pass too.
    assert_eq!(
        desk.add_working_time(wib(2026, 12, 24, 9, 0), hours(1)),
        wib(2026, 12, 28, 9, 0)
    );
    // Ascension (a Thursday) and its joint leave (the Friday) around a weekend.
    assert_eq!(
        desk.working_time_between(wib(2026, 5, 13, 12, 0), wib(2026, 5, 18, 12, 0)),
        hours(8)
    );
    // A whole working day ends at closing time, not at the next opening.
    assert_eq!(
        desk.add_working_time(wib(2026, 12, 7, 8, 0), hours(8)),
        wib(2026, 12, 7, 16, 0)
    );
    // On the Central Indonesian clock, 08:00 is midnight UTC.
    let wita = BusinessCalendar::shipped(CalendarRules {
        zone: IndonesianTime::Wita,
        ..CalendarRules::default()
    });
    let monday = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
    assert_eq!(wita.add_working_time(monday, hours(8)), monday + hours(8));
}

#[test]
fn the_years_a_desk_lacks_are_named() {
    let desk = desk();
    assert_eq!(desk.missing_years(wib(2026, 12, 6, 9, 0)), [2027]);
    assert_eq!(desk.missing_years(wib(2027, 1, 2, 9, 0)), [2027, 2028]);
}

#[test]
fn a_days_off_file_says_where_it_comes_from_and_covers_one_year() {
    let unsourced = "2026-01-01\tholiday\tTahun Baru\n";
    assert!(
        YearOfDaysOff::parse(unsourced)
            .unwrap_err()
            .why
            .contains("source")
    );
    let two_years = "# source: a decree\n2026-01-01\tholiday\tA\n2027-01-01\tholiday\tB\n";
    assert_eq!(YearOfDaysOff::parse(two_years).unwrap_err().line, 3);
    let bad_kind = "# source: a decree\n2026-01-01\tlibur\tA\n";
    assert!(
        YearOfDaysOff::parse(bad_kind)
            .unwrap_err()
            .why
            .contains("cuti_bersama")
    );
    let twice = YearOfDaysOff::parse("# source: a decree\n2026-01-01\tholiday\tA\n").unwrap();
    let refused = BusinessCalendar::new(CalendarRules::default(), vec![twice.clone(), twice]);
    assert!(refused.unwrap_err().contains("2026"));
}

#[test]
fn calendar_rules_read_as_written_and_refuse_what_cannot_work() {
    let rules: CalendarRules = serde_json::from_str(
        r#"{"zone": "wita", "working_days": ["Mon", "tue", "sat"], "opens": "07:30", "closes": "15:30"}"#,
    )
    .unwrap();
    assert_eq!(rules.zone, IndonesianTime::Wita);
    assert_eq!(rules.days.len(), 3);
    let read = |json: &str| {
        serde_json::from_str::<CalendarRules>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(read(r#"{"opens": "16:00", "closes": "08:00"}"#).contains("calendar.closes"));
    assert!(read(r#"{"working_days": []}"#).contains("calendar.working_days"));
    assert!(read(r#"{"zone": "UTC"}"#).contains("calendar.zone"));
    assert!(read(r#"{"opens": "8 am"}"#).contains("calendar.opens"));
    let written = serde_json::to_string(&CalendarRules::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<CalendarRules>(&written).unwrap(),
        CalendarRules::default()
    );
}

/// Instants across 2026 and into 2027, to the minute.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..(400 * 24 * 60)).prop_map(|minutes| wib(2026, 1, 1, 0, 0) + Duration::minutes(minutes))
}

fn amount() -> impl Strategy<Value = Duration> {
    (0i64..(120 * 60)).prop_map(Duration::minutes)
}

fn any_zone() -> impl Strategy<Value = BusinessCalendar> {
    prop_oneof![
        Just(IndonesianTime::Wib),
        Just(IndonesianTime::Wita),
        Just(IndonesianTime::Wit)
    ]
    .prop_map(|zone| {
        BusinessCalendar::shipped(CalendarRules {
            zone,
            ..CalendarRules::default()
        })
    })
}

proptest! {
    #[test]
    fn adding_then_measuring_gives_the_same_time_back(
        desk in any_zone(), from in instant(), amount in amount()
    ) {
        let due = desk.add_working_time(from, amount);
        prop_assert_eq!(desk.working_time_between(from, due), amount);
    }

    #[test]
    fn a_result_is_never_outside_working_time(
        desk in any_zone(), from in instant(), amount in amount()
    ) {
        let due = desk.add_working_time(from, amount);
        prop_assert!(desk.is_working_instant(due), "{due}");
        prop_assert!(due >= from);
    }

    #[test]
    fn a_later_start_is_never_due_earlier(
        desk in any_zone(), a in instant(), b in instant(), amount in amount()
    ) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(desk.add_working_time(early, amount) <= desk.add_working_time(late, amount));
    }

    #[test]
    fn weekends_and_days_off_count_for_nothing(from in instant(), amount in amount()) {
        let desk = desk();
        let due = desk.add_working_time(from, amount);
        let local = (due.naive_utc() + Duration::hours(7)).date();
        prop_assert!(desk.is_working_day(local), "{local}");
        // Measured across a whole span, the time is never more than the span's working
        // days' hours.
        let span = desk.working_time_between(from, due);
        prop_assert!(span <= due - from);
    }
}
