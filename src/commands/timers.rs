//! `certdesk timers run`: one pass of the desk's clocks now, as every worker runs it on
//! schedule (`[timers]`): for a cron job, or to see what is due.

use certdesk_domain::DeskRules;
use certdesk_store::StoreSettings;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum TimersCommand {
    /// Apply now the deadlines that are due: tell agents of expired authority links,
    /// remind officers of overdue endorsements, close resolved tickets whose reopen
    /// window ended; and say how many.
    Run,
}

pub async fn run(
    store_settings: &StoreSettings,
    rules: &DeskRules,
    command: TimersCommand,
) -> anyhow::Result<()> {
    match command {
        TimersCommand::Run => {
            let store = crate::open_migrated_store(store_settings).await?;
            let report = store
                .run_timers(&rules.deadlines(), chrono::Utc::now())
                .await?;
            println!(
                "{} expired links told, {} endorsement reminders, {} tickets closed",
                report.expired_links, report.endorsement_reminders, report.closed
            );
        }
    }
    Ok(())
}
