//! `certdesk`: the one binary. It only wires the crates together; every rule lives in
//! `certdesk-domain`, every query in `certdesk-store`, every route in `certdesk-api`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use certdesk_api::config::Settings;
use certdesk_api::{Application, connect_store, telemetry};
use certdesk_domain::{Officer, OfficerRow, UnitCatalogue};
use clap::{Parser, Subcommand};

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
    /// Run the HTTP API (migrates the database first).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage the directory of responsible officers.
    Officers {
        #[command(subcommand)]
        command: OfficersCommand,
    },
}

#[derive(Subcommand)]
enum OfficersCommand {
    /// Insert or update officers from a CSV file with the header
    /// `nip,name,unit,email,active`. All rows are checked first; one bad row imports
    /// nothing.
    Import { csv: PathBuf },
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("certdesk: configuration: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    match run(cli.command, &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("certdesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            let store = connect_store(settings).await?;
            store.migrate().await?;
            println!("database schema is up to date ({})", store.backend());
        }
        Command::Officers {
            command: OfficersCommand::Import { csv },
        } => import_officers(settings, &csv).await?,
    }
    Ok(())
}

async fn import_officers(settings: &Settings, path: &Path) -> anyhow::Result<()> {
    let store = connect_store(settings).await?;
    store.migrate().await?;
    let units = UnitCatalogue::new(store.units().await?);
    let domains = settings.email_domains();

    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut officers = Vec::new();
    let mut failures = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.deserialize::<CsvOfficer>().enumerate() {
        let line = index + 2; // the header is line 1
        let row = match record {
            Ok(row) => row,
            Err(error) => {
                failures.push(format!("line {line}: {error}"));
                continue;
            }
        };
        match Officer::from_row(&row.into(), &units, &domains) {
            Ok(officer) => {
                if let Some(first) = seen.insert(officer.nip.clone(), line) {
                    failures.push(format!(
                        "line {line}: NIP {} already on line {first}",
                        officer.nip
                    ));
                }
                officers.push(officer);
            }
            Err(problems) => {
                for problem in problems {
                    failures.push(format!(
                        "line {line}: {}: {}",
                        problem.field, problem.message.en
                    ));
                }
            }
        }
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "nothing imported; fix these rows:\n  {}",
            failures.join("\n  ")
        );
    }
    let report = store.import_officers(&officers).await?;
    println!(
        "imported {} officer(s): {} new, {} updated",
        officers.len(),
        report.inserted,
        report.updated
    );
    Ok(())
}

#[derive(serde::Deserialize)]
struct CsvOfficer {
    nip: String,
    name: String,
    unit: String,
    email: String,
    #[serde(default)]
    active: String,
}

impl From<CsvOfficer> for OfficerRow {
    fn from(row: CsvOfficer) -> Self {
        Self {
            nip: row.nip,
            name: row.name,
            unit: row.unit,
            email: row.email,
            active: row.active,
        }
    }
}
