//! `certdesk retention run`: one retention pass now, as the worker runs it on schedule.

use certdesk_domain::DeskRules;
use certdesk_store::StoreSettings;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Purge now the files and NIKs of ended tickets whose periods are over
    /// (`[retention]`), and say how many.
    Run,
}

pub async fn run(
    store_settings: &StoreSettings,
    rules: &DeskRules,
    command: RetentionCommand,
) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Run => {
            let store = crate::open_migrated_store(store_settings).await?;
            let report = store
                .purge_due(&rules.retention, chrono::Utc::now())
                .await?;
            println!(
                "purged {} files and erased {} NIKs",
                report.files, report.niks
            );
        }
    }
    Ok(())
}
