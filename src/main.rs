//! `certdesk`: the one binary, and the application's shell. It reads the configuration
//! (`settings.rs`), sets up logging (`telemetry.rs`) and the process (`process.rs`), and
//! wires the crates together; the commands live in `commands/`. Every rule lives in
//! `certdesk-domain`, every query in `certdesk-store`, every route in `certdesk-api`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use certdesk_api::{ApiSettings, Application};
use certdesk_domain::DeskRules;
use certdesk_domain::service_level::ServiceLevels;
use certdesk_store::{Store, StoreSettings};
use certdesk_worker::{Worker, WorkerSettings};
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

mod calendar;
mod commands;
mod process;
mod settings;
mod telemetry;

use certdesk_domain::Officer;
use certdesk_domain::staff::StaffMember;
use commands::directory::{self, DirectoryCommand};
use commands::{demo, inspect_pdf, keys, mail, outbox, retention, timers, token};
use settings::Settings;
use token::TokenCommand;

#[derive(Parser)]
#[command(
    name = "certdesk",
    version,
    about = "ITSM 15 service desk for electronic-certificate requests"
)]
struct Cli {
    /// A TOML configuration file; environment variables (CERTDESK_*) override it.
    #[arg(long, global = true, env = "CERTDESK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the console (migrates the database first), with a worker in
    /// the same process unless `outbox.in_process` is off.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage the directory of responsible officers.
    Officers {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Manage the directory of RA agents and supervisors.
    Staff {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Mint a JWT with the local key, or manage integrators' API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Send status emails from the outbox until stopped (SIGINT/SIGTERM). Any number may
    /// run beside each other on PostgreSQL.
    Worker {
        /// Instead of running one, say whether the worker on this machine is alive: its
        /// heartbeat (`outbox.heartbeat_file`) is fresher than
        /// `outbox.heartbeat_max_age_secs`. Exits 0 or 1; for a container's healthcheck.
        #[arg(long)]
        check: bool,
    },
    /// Look after the email outbox: dead letters, requeueing, numbers.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// Replies by email: `certdesk mail receive`, for an MTA's pipe transport.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// The desk's clocks (expired links, overdue endorsements, reopen windows): run
    /// them now.
    Timers {
        #[command(subcommand)]
        command: timers::TimersCommand,
    },
    /// The desk's working calendar: a year's days off, working time between two
    /// instants, an instant plus working hours.
    Calendar {
        #[command(subcommand)]
        command: commands::calendar::CalendarCommand,
    },
    /// Personal data of ended tickets past its retention period: purge it now.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// The master keys that seal attachments and NIKs at rest: list, rotate, retire.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Print the OpenAPI document: `certdesk openapi > openapi/openapi.json` regenerates
    /// the committed copy.
    Openapi,
    /// Load the synthetic sample officers and RA staff and print a token per role for
    /// trying the desk:
    /// `eval "$(certdesk demo)"` sets $REQUESTER, $OFFICER, $AGENT and $SUPERVISOR.
    Demo {
        /// How long the tokens are valid, in hours.
        #[arg(long, default_value_t = 8)]
        hours: u64,
    },
    /// Print the configuration in effect (defaults, file, environment), secrets redacted,
    /// after checking it as `serve` and `worker` would.
    Config,
    /// Read one PDF from standard input within limits and print what it holds, as JSON.
    /// The server runs it as a child process for each PDF uploaded.
    #[command(hide = true)]
    InspectPdf(inspect_pdf::InspectLimits),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // First, before any configuration is read, runtime built or thread started: it
    // limits its own process and reads hostile bytes, once per letter filed, so its
    // start-up is part of every filing's cost.
    if let Command::InspectPdf(limits) = cli.command {
        return inspect_pdf::run(limits);
    }
    actix_web::rt::System::new().block_on(run_cli(cli))
}

async fn run_cli(cli: Cli) -> ExitCode {
    // Needs no configuration, database or logging: it prints what the code describes.
    if matches!(cli.command, Command::Openapi) {
        print!("{}", certdesk_api::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    // A desk that cannot read its configuration cannot file a reply. For `mail receive`
    // that is the MTA's "try again later": the message waits in its queue for the fix,
    // and what is wrong goes to the MTA's log, not into a bounce to the sender.
    let misconfigured = if matches!(cli.command, Command::Mail { .. }) {
        ExitCode::from(certdesk_domain::inbound::Delivery::TryLater.exit_code())
    } else {
        ExitCode::from(2)
    };
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(loaded) => {
            // Said to the person, not logged: an MTA would quote it to a sender.
            if !matches!(cli.command, Command::Mail { .. }) {
                for unknown in &loaded.unknown {
                    eprintln!("certdesk: configuration: {unknown}");
                }
            }
            loaded.settings
        }
        Err(error) => {
            eprintln!("certdesk: configuration: {error}");
            return misconfigured;
        }
    };
    // Checked before any command runs, so that a mistake is named at once, by key.
    if let Err(problem) = settings.check() {
        eprintln!("certdesk: configuration: {problem}");
        return misconfigured;
    }
    if matches!(cli.command, Command::Config) {
        return match settings.effective() {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("certdesk: {error}");
                ExitCode::FAILURE
            }
        };
    }
    // The MTA reads the exit code: sysexits, not the usual success or failure.
    if let Command::Mail { command } = cli.command {
        // Postfix puts what the command writes into the bounce the sender reads (a
        // refusal) or its own log (a deferral), and drops it otherwise: only warnings and
        // errors are worth writing there. What became of a message is on its ticket.
        let mut log = settings.log.clone();
        log.filter = "warn".into();
        telemetry::init(&log);
        return ExitCode::from(
            mail::run(
                &settings.rules,
                &settings.store,
                &settings.worker.mail,
                command,
            )
            .await,
        );
    }
    telemetry::init(&settings.log);
    match run(cli.command, &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("certdesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The store as configured, with a message that names what failed.
async fn open_store(settings: &StoreSettings) -> anyhow::Result<Store> {
    Store::open(settings).await.with_context(|| {
        format!(
            "opening the database and the attachment storage ({})",
            settings.storage.path.display()
        )
    })
}

/// The store as configured, its schema brought up to date first.
pub(crate) async fn open_migrated_store(settings: &StoreSettings) -> anyhow::Result<Store> {
    let store = open_store(settings).await?;
    store
        .migrate()
        .await
        .context("running database migrations")?;
    Ok(store)
}

async fn run(command: Command, settings: &Settings) -> anyhow::Result<()> {
    let Settings {
        api,
        store: store_settings,
        worker: worker_settings,
        rules,
        log: _,
    } = settings;
    match command {
        Command::Serve => serve(api, store_settings, worker_settings, rules).await?,
        Command::Worker { check: true } => check_worker(worker_settings)?,
        Command::Worker { check: false } => {
            process::install_tls_provider();
            let service_levels = calendar::service_levels(rules).map_err(anyhow::Error::msg)?;
            calendar::warn_of_missing_years(service_levels.calendar());
            let store = open_migrated_store(store_settings).await?;
            retime_clocks(&store, &service_levels).await?;
            let worker = Worker::new(store, worker_settings, rules).map_err(anyhow::Error::msg)?;
            let stop = CancellationToken::new();
            let running = tokio::spawn(run_worker(worker, stop.clone()));
            process::shutdown_signal().await;
            tracing::info!("stopping: finishing messages on the wire");
            stop.cancel();
            finish_worker(running, worker_settings).await;
        }
        Command::Outbox { command } => {
            let store = open_migrated_store(store_settings).await?;
            outbox::run(store, worker_settings, rules, command).await?
        }
        Command::Keys { command } => keys::run(store_settings, command).await?,
        Command::Timers { command } => timers::run(store_settings, rules, command).await?,
        Command::Retention { command } => retention::run(store_settings, rules, command).await?,
        Command::Calendar { command } => {
            let calendar = calendar::load(&rules.calendar).map_err(anyhow::Error::msg)?;
            commands::calendar::run(&calendar, command)?
        }
        Command::Openapi => print!("{}", certdesk_api::openapi::document_json()),
        Command::Migrate => {
            let store = open_migrated_store(store_settings).await?;
            println!("database schema is up to date ({})", store.backend());
        }
        Command::Officers { command } => {
            directory::run::<Officer>(rules, store_settings, command).await?
        }
        Command::Staff { command } => {
            directory::run::<StaffMember>(rules, store_settings, command).await?
        }
        Command::Token { command } => token::run(&api.auth, store_settings, command).await?,
        Command::Demo { hours } => demo::run(&api.auth, rules, store_settings, hours).await?,
        // Answered in `main`, before logging starts.
        Command::Config | Command::InspectPdf(_) | Command::Mail { .. } => {}
    }
    Ok(())
}

/// `certdesk serve`: the API, and with `outbox.in_process` a worker beside it.
async fn serve(
    api: &ApiSettings,
    store_settings: &StoreSettings,
    worker_settings: &WorkerSettings,
    rules: &DeskRules,
) -> anyhow::Result<()> {
    process::install_tls_provider();
    let service_levels = calendar::service_levels(rules).map_err(anyhow::Error::msg)?;
    calendar::warn_of_missing_years(service_levels.calendar());
    let store = open_store(store_settings).await?;
    let application = Application::build(api, rules, service_levels.clone(), store.clone()).await?;
    retime_clocks(&store, &service_levels).await?;
    show_the_way_in(&store, api).await;
    if !worker_settings.outbox.in_process {
        return Ok(application.run_until_stopped().await?);
    }
    // Started once the API has migrated the schema; stops after the server. It has a
    // pool of its own: requests and deliveries do not wait for each other, and on
    // PostgreSQL its LISTEN connection is not taken from the API's.
    let worker_store = open_store(store_settings).await?;
    let worker = Worker::new(worker_store, worker_settings, rules).map_err(anyhow::Error::msg)?;
    let stop = CancellationToken::new();
    let running = tokio::spawn(run_worker(worker, stop.clone()));
    let served = application.run_until_stopped().await;
    stop.cancel();
    finish_worker(running, worker_settings).await;
    Ok(served?)
}

/// Every running service-level clock re-timed on the calendar and targets in force: a
/// days-off file or the at-risk share may have changed since the last start.
async fn retime_clocks(store: &Store, levels: &ServiceLevels) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let retimed = store
        .retime_clocks(levels)
        .await
        .context("re-timing the service-level clocks")?;
    if retimed > 0 {
        tracing::info!(
            tickets = retimed,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "service-level clocks re-timed on the calendar in force"
        );
    }
    Ok(())
}

/// `certdesk worker --check`: the heartbeat of the worker on this machine, fresh or not.
fn check_worker(settings: &WorkerSettings) -> anyhow::Result<()> {
    let path = settings
        .outbox
        .heartbeat_file
        .as_deref()
        .context("outbox.heartbeat_file is not set: the worker writes no heartbeat to check")?;
    let max_age = Duration::from_secs(settings.outbox.heartbeat_max_age_secs);
    let age = certdesk_worker::heartbeat::check(path, max_age).map_err(anyhow::Error::msg)?;
    println!("worker alive: last round {} s ago", age.as_secs());
    Ok(())
}

/// On a desk nobody has set up yet, says how to try it: a newcomer's first `serve`
/// should not leave them guessing where tokens and officers come from.
async fn show_the_way_in(store: &Store, settings: &ApiSettings) {
    let empty = store.has_entries::<Officer>().await.is_ok_and(|has| !has);
    if !empty {
        return;
    }
    if settings.auth.jwks_url.is_none() {
        tracing::info!(
            "the officers' directory is empty. To try the desk, run `certdesk demo` in another \
             terminal: it loads the synthetic sample officers and prints a token per role \
             (eval \"$(certdesk demo)\"). To load real officers: `certdesk officers import FILE.csv`."
        );
    } else {
        tracing::warn!(
            "the officers' directory is empty: no ticket can be filed until it is loaded \
             (`certdesk officers import FILE.csv`, or PUT /api/v1/officers/{{nip}})"
        );
    }
}

async fn run_worker(worker: Worker, stop: CancellationToken) {
    worker.run(stop).await;
}

/// Waits for a stopping worker, at most the configured grace. A worker cut off here
/// leaves leased rows behind; they return to the queue when their lease runs out.
async fn finish_worker(running: tokio::task::JoinHandle<()>, settings: &WorkerSettings) {
    let grace = Duration::from_secs(settings.outbox.shutdown_grace_secs);
    match tokio::time::timeout(grace, running).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "the outbox worker failed"),
        Err(_) => tracing::warn!(
            grace_secs = grace.as_secs(),
            "the outbox worker did not stop in time; its leased messages return after the lease"
        ),
    }
}
