//! `certdesk retention run`: one retention pass now, as the worker runs it on schedule.

use certdesk_store::StoreSettings;
use certdesk_worker::WorkerSettings;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Purge now the files and NIKs of ended tickets whose periods are over
    /// (`[retention]`), and say how many.
    Run,
}

pub async fn run(
    store_settings: &StoreSettings,
    worker_settings: &WorkerSettings,
    command: RetentionCommand,
) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Run => {
            let store = crate::open_migrated_store(store_settings).await?;
            let report = store
                .purge_due(&worker_settings.retention.policy(), chrono::Utc::now())
                .await?;
            println!(
                "purged {} files and erased {} NIKs",
                report.files, report.niks
            );
        }
    }
    Ok(())
}
