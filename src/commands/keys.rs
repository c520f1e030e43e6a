//! `certdesk keys …`: the master keys that seal attachments and NIKs at rest.

use anyhow::Context;
use certdesk_store::StoreSettings;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// The master keys, newest last, with how many files and NIKs each still seals.
    List,
    /// Add a new master key, make it the current one, and rewrap every data key and NIK
    /// under it. File bodies are not rewritten. Safe to run again after an interruption.
    Rotate,
    /// Remove a master key that no longer seals anything.
    Retire {
        /// The key id, as `keys list` shows it.
        id: String,
    },
}

pub async fn run(settings: &StoreSettings, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::List => {
            let store = crate::open_migrated_store(settings).await?;
            let keys = store.keyring();
            let current = keys.current_id().clone();
            for id in keys.ids() {
                let used = store.key_use(id.as_str()).await?;
                println!(
                    "{id}\t{} files\t{} NIKs{}",
                    used.files,
                    used.niks,
                    if *id == current { "\t(current)" } else { "" }
                );
            }
        }
        KeysCommand::Rotate => {
            // The new key is saved before anything is rewrapped under it: an interrupted
            // rotation leaves data under the old key or the new one, both in the file.
            let rotated = settings
                .encryption
                .keyring()
                .context("reading the keys")?
                .rotated()?;
            rotated.save().context("saving the new key")?;
            tracing::info!(key = %rotated.current_id(), "added a master key");
            let store = crate::open_migrated_store(settings).await?;
            let moved = store.rewrap_to_current_key().await?;
            println!(
                "current master key: {}\nrewrapped {} file keys and resealed {} NIKs",
                store.keyring().current_id(),
                moved.files,
                moved.niks
            );
            for id in store.keyring().ids() {
                if id != store.keyring().current_id() {
                    println!("{id} seals nothing now: `certdesk keys retire {id}` removes it");
                }
            }
        }
        KeysCommand::Retire { id } => {
            let store = crate::open_migrated_store(settings).await?;
            let used = store.key_use(&id).await?;
            anyhow::ensure!(
                used.files == 0 && used.niks == 0,
                "{id} still seals {} files and {} NIKs: run `certdesk keys rotate` first",
                used.files,
                used.niks
            );
            store.keyring().without(&id)?.save()?;
            println!("retired {id}");
        }
    }
    Ok(())
}
