//! `certdesk outbox …`: the operator's view of the email outbox.

use anyhow::Context;
use certdesk_domain::DeskRules;
use certdesk_store::Store;
use certdesk_worker::{Worker, WorkerSettings};
use clap::Subcommand;
use uuid::Uuid;

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List messages the worker gave up on, oldest first, with the server's answer.
    Dead {
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Put a dead letter (or, with --all, every one) back in line with fresh attempts.
    Requeue {
        /// The event id that `outbox dead` shows.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        event: Option<Uuid>,
        #[arg(long)]
        all: bool,
    },
    /// Queue depth, dead letters, and the latency and attempts of recent deliveries.
    Stats,
    /// Deliver every message due now, then exit.
    Flush,
}

pub async fn run(
    store: Store,
    worker_settings: &WorkerSettings,
    rules: &DeskRules,
    command: OutboxCommand,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        OutboxCommand::Dead { limit } => {
            let letters = store.dead_letters(limit, None).await?;
            if letters.is_empty() {
                eprintln!("no dead letters");
            }
            for letter in letters {
                println!(
                    "{}\t{}\t{}\t{}\t{} attempt(s)\t{}\t{}",
                    letter.event_id,
                    letter.ticket,
                    letter.kind.code(),
                    letter.recipient.map_or("unknown", |r| r.code()),
                    letter.attempts,
                    letter.created_at.to_rfc3339(),
                    letter.last_error.unwrap_or_default()
                );
            }
        }
        OutboxCommand::Requeue { event, all } => {
            let requeued = store
                .requeue_dead(if all { None } else { event }, now)
                .await?;
            anyhow::ensure!(
                requeued > 0 || all,
                "no dead letter with that id (see `certdesk outbox dead`)"
            );
            println!("requeued {requeued} message(s)");
        }
        OutboxCommand::Stats => {
            let stats = store.outbox_stats(now).await?;
            let ms = |d: Option<std::time::Duration>| {
                d.map_or("-".to_owned(), |d| format!("{} ms", d.as_millis()))
            };
            println!("pending\t{} ({} due now)", stats.pending, stats.due);
            println!("sending\t{}", stats.sending);
            println!("dead\t{}", stats.dead);
            println!("oldest due\t{}", ms(stats.oldest_due_age));
            println!(
                "last {} sent\tlatency p50 {}, p95 {}, max {}; {} attempts, {} retried",
                stats.sample,
                ms(stats.latency_p50),
                ms(stats.latency_p95),
                ms(stats.latency_max),
                stats.attempts_total,
                stats.retried
            );
        }
        OutboxCommand::Flush => {
            let worker = Worker::new(store, worker_settings, rules).map_err(anyhow::Error::msg)?;
            let settled = worker.drain().await.context("delivering the outbox")?;
            println!("settled {settled} message(s)");
        }
    }
    Ok(())
}
