//! `certdesk mail receive`: one email on standard input, as an MTA's pipe transport
//! (Postfix, Exim) delivers it, taken as a reply on its ticket or refused; the exit code
//! is the MTA's (sysexits): 0 done, 67 no such ticket (the MTA bounces it), 75 try again
//! later (the database is down: the MTA keeps the message and retries).

use std::io::Read;

use certdesk_domain::DeskRules;
use certdesk_domain::inbound::{Delivery, NO_TICKET};
use certdesk_store::StoreSettings;
use certdesk_worker::MailSettings;
use certdesk_worker::inbound::{MAX_MESSAGE_BYTES, Received, receive};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Read one RFC 5322 message on standard input and record it as a reply on its
    /// ticket, or refuse it; exits 0, 67 (no such ticket) or 75 (try again later).
    Receive,
}

/// Runs the command and answers the exit code the MTA reads.
pub async fn run(
    rules: &DeskRules,
    store_settings: &StoreSettings,
    mail: &MailSettings,
    command: MailCommand,
) -> u8 {
    match command {
        MailCommand::Receive => {
            let delivery = receive_stdin(rules, store_settings, mail).await;
            if delivery == Delivery::UnknownRecipient {
                // The MTA puts a failed command's output in its bounce: the sender reads
                // why there, in both languages.
                println!("{NO_TICKET}");
            }
            delivery.exit_code()
        }
    }
}

async fn receive_stdin(
    rules: &DeskRules,
    store_settings: &StoreSettings,
    mail: &MailSettings,
) -> Delivery {
    // One byte past the limit is enough to know the message is too large.
    let mut raw = Vec::new();
    if let Err(error) = std::io::stdin()
        .take(MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut raw)
    {
        tracing::error!(%error, "reading the message from standard input failed; the MTA will retry");
        return Delivery::TryLater;
    }
    let store = match crate::open_migrated_store(store_settings).await {
        Ok(store) => store,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the database cannot be reached; the MTA will retry");
            return Delivery::TryLater;
        }
    };
    // Read at start as `serve` reads it; a calendar file that went missing since is a
    // configuration to fix, and the MTA keeps the message meanwhile.
    let levels = match crate::calendar::service_levels(rules) {
        Ok(levels) => levels,
        Err(error) => {
            tracing::error!(%error, "the working calendar cannot be read; the MTA will retry");
            return Delivery::TryLater;
        }
    };
    match receive(
        &store,
        &rules.lifecycle,
        &levels,
        mail.auto_replies_per_hour,
        &raw,
    )
    .await
    {
        Ok(received) => {
            match received {
                Received::Answer => tracing::info!("reply recorded as the requester's answer"),
                Received::Comment => tracing::info!("reply recorded as a public comment"),
                Received::Refused(why) => tracing::info!(?why, "reply refused; nothing stored"),
            }
            received.delivery()
        }
        Err(error) => {
            tracing::error!(%error, "storing the reply failed; the MTA will retry");
            Delivery::TryLater
        }
    }
}
