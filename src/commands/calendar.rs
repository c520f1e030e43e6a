//! `certdesk calendar …`: the desk's working calendar, asked directly: a year's days off,
//! the working time between two instants, an instant plus working hours. Instants are
//! written `YYYY-MM-DD HH:MM` on the desk's clock (`calendar.zone`), or in RFC 3339.

use certdesk_domain::calendar::{BusinessCalendar, DayOffKind};
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// List a year's days off (national holidays and cuti bersama) and where they come
    /// from; the current year unless one is given.
    DaysOff {
        #[arg(long)]
        year: Option<i32>,
    },
    /// The working time from one instant to another.
    Between { from: String, to: String },
    /// An instant plus working hours (decimals allowed: 1.5 is an hour and a half).
    Add { from: String, hours: f64 },
}

pub fn run(calendar: &BusinessCalendar, command: CalendarCommand) -> anyhow::Result<()> {
    let zone = calendar.rules().zone;
    match command {
        CalendarCommand::DaysOff { year } => {
            let year = year.unwrap_or_else(|| (Utc::now() + zone.offset()).year());
            let days: Vec<_> = calendar.days_off(year).collect();
            anyhow::ensure!(
                !days.is_empty(),
                "no days off are known for {year}: add its file from the joint decree \
                 (calendar.days_off_files); known years: {:?}",
                calendar.years().collect::<Vec<_>>()
            );
            if let Some(source) = calendar.source(year) {
                eprintln!("days off of {year}, from: {source}");
            }
            for day in days {
                let kind = match day.kind {
                    DayOffKind::Holiday => "holiday",
                    DayOffKind::JointLeave => "cuti bersama",
                };
                println!(
                    "{}\t{}\t{kind}\t{}",
                    day.date,
                    day.date.format("%a"),
                    day.name
                );
            }
        }
        CalendarCommand::Between { from, to } => {
            let (from, to) = (instant(calendar, &from)?, instant(calendar, &to)?);
            let worked = calendar.working_time_between(from, to);
            println!(
                "{} of working time ({} minutes)",
                spoken(worked),
                worked.num_minutes()
            );
        }
        CalendarCommand::Add { from, hours } => {
            anyhow::ensure!(
                hours.is_finite() && (0.0..=100_000.0).contains(&hours),
                "hours: a number from 0 to 100000"
            );
            let from = instant(calendar, &from)?;
            let due =
                calendar.add_working_time(from, Duration::minutes((hours * 60.0).round() as i64));
            println!(
                "{} {} ({})",
                (due.naive_utc() + zone.offset()).format("%Y-%m-%d %H:%M (%a)"),
                zone.code(),
                due.to_rfc3339()
            );
        }
    }
    Ok(())
}

/// An instant as written: RFC 3339, or `YYYY-MM-DD HH:MM` on the desk's clock.
fn instant(calendar: &BusinessCalendar, written: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(written) {
        return Ok(at.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(written.trim(), "%Y-%m-%d %H:%M").map_err(|_| {
        anyhow::anyhow!(
            "{written:?}: write an instant as YYYY-MM-DD HH:MM ({}) or in RFC 3339",
            calendar.rules().zone.code()
        )
    })?;
    Ok((local - calendar.rules().zone.offset()).and_utc())
}

/// `2 h 30 m`.
fn spoken(time: Duration) -> String {
    format!("{} h {} m", time.num_hours(), time.num_minutes() % 60)
}
