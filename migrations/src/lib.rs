//! The database schema of certdesk as sea-orm migrations, for PostgreSQL (production) and
//! SQLite (the embedded default). Every migration must run on both; backend-specific SQL
//! is avoided, and where a backend needs its own statement it says why.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_directory;
mod m20261121_000002_tickets;
mod m20261121_000003_lifecycle;
mod m20261121_000004_description_search;
mod m20261121_000005_outbox;
mod m20261121_000006_idempotency;
mod m20261130_000007_audit;
mod m20261201_000008_sealed_files;
mod m20261201_000009_retention;
mod m20261201_000010_authority;
mod m20261201_000011_deadlines;
mod m20261201_000012_staff;
mod m20261201_000013_auto_replies;
mod m20261201_000014_console_sessions;
mod m20261201_000015_queue_open_counts;
mod m20261201_000016_intake_warnings;
mod m20261201_000017_open_description_search;
mod m20261206_000018_service_levels;
mod m20261206_000019_queue_by_due;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_directory::Migration),
            Box::new(m20261121_000002_tickets::Migration),
            Box::new(m20261121_000003_lifecycle::Migration),
            Box::new(m20261121_000004_description_search::Migration),
            Box::new(m20261121_000005_outbox::Migration),
            Box::new(m20261121_000006_idempotency::Migration),
            Box::new(m20261130_000007_audit::Migration),
            Box::new(m20261201_000008_sealed_files::Migration),
            Box::new(m20261201_000009_retention::Migration),
            Box::new(m20261201_000010_authority::Migration),
            Box::new(m20261201_000011_deadlines::Migration),
            Box::new(m20261201_000012_staff::Migration),
            Box::new(m20261201_000013_auto_replies::Migration),
            Box::new(m20261201_000014_console_sessions::Migration),
            Box::new(m20261201_000015_queue_open_counts::Migration),
            Box::new(m20261201_000016_intake_warnings::Migration),
            Box::new(m20261201_000017_open_description_search::Migration),
            Box::new(m20261206_000018_service_levels::Migration),
            Box::new(m20261206_000019_queue_by_due::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use certdesk_domain::lifecycle::Status;

    /// The open states the migrations spell out in SQL today (the open-ticket indexes,
    /// the open counts' triggers) are the domain's.
    #[test]
    fn the_open_states_written_in_sql_are_the_domains() {
        let open: Vec<String> = Status::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.code()))
            .collect();
        for written in [
            super::m20261201_000010_authority::OPEN_NOW,
            super::m20261201_000015_queue_open_counts::OPEN,
            super::m20261201_000017_open_description_search::OPEN,
            super::m20261206_000019_queue_by_due::OPEN,
        ] {
            let written: Vec<&str> = written.split(',').map(str::trim).collect();
            assert_eq!(written, open);
        }
    }
}
