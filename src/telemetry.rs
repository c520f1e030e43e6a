//! Logging for the whole process, set up once: JSON or compact lines on standard error,
//! by configuration (`[log]`). What each HTTP request's lines carry is the API's
//! (`certdesk_api`'s request span); personal data never reaches either.

use serde::{Deserialize, Serialize};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `certdesk_api=debug,info`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            // The migrator says each step at INFO; the store says what changed, once.
            filter: "info,sea_orm_migration=warn".into(),
        }
    }
}

/// Installs the global subscriber. `RUST_LOG`, when set, overrides the configured filter.
///
/// Logs go to standard error, so that a command's standard output holds only its result
/// (`TOKEN=$(certdesk token create …)` captures the token and nothing else); colour only
/// when a person is watching.
pub fn init(settings: &LogSettings) {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match settings.format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .compact()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}
