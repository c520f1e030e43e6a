//! The configuration, read once at start and handed down, never a global: built-in
//! defaults, then an optional TOML file, then environment variables (`CERTDESK_` prefix,
//! `__` between levels, e.g. `CERTDESK_SERVER__LISTEN`).
//!
//! Each part of the program owns the sections it reads, as typed values with their
//! defaults beside them: the API its HTTP settings, the store the database, storage and
//! keys, the worker mail and its schedules, this shell the log. The desk's rules (mail
//! domains, lifecycle, timers, retention) are the domain's `DeskRules`, one value read
//! here and given to the API, the worker and every command alike. Two owners may read one
//! section: `[timers]` holds the reminders' rules and the worker's interval.

use std::path::Path;

use certdesk_api::ApiSettings;
use certdesk_domain::DeskRules;
use certdesk_store::StoreSettings;
use certdesk_worker::WorkerSettings;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Serialize};

use crate::telemetry::LogSettings;

/// Every part's settings, read from the same layers.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub api: ApiSettings,
    pub store: StoreSettings,
    pub worker: WorkerSettings,
    pub rules: DeskRules,
    pub log: LogSettings,
}

/// The shell's own sections.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct ShellSections {
    log: LogSettings,
}

impl Settings {
    /// Defaults, then `file` (if given, it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, String> {
        let mut layers = Figment::new();
        if let Some(file) = file {
            layers = layers.merge(Toml::file_exact(file));
        }
        Self::from_layers(&layers.merge(Env::prefixed("CERTDESK_").split("__")))
    }

    /// Every part's sections of `layers`, over their defaults; a value that reads but
    /// means nothing (an unknown service code, a link that never works) is refused here,
    /// by its key.
    fn from_layers(layers: &Figment) -> Result<Self, String> {
        let shell: ShellSections = part(layers)?;
        Ok(Self {
            api: part(layers)?,
            store: part(layers)?,
            worker: part(layers)?,
            rules: part(layers)?,
            log: shell.log,
        })
    }

    /// What `serve` and `worker` would refuse at start among values that read well
    /// alone: limits that cannot work together, a sender address that is not one, ….
    pub fn check(&self) -> Result<(), String> {
        self.api.check()?;
        certdesk_worker::Composer::new(&self.worker.mail)?;
        Ok(())
    }

    /// The configuration in effect, as TOML, with secrets redacted: what the defaults,
    /// the file and the environment made together. A section two parts read shows what
    /// both read.
    pub fn effective(&self) -> Result<String, toml::ser::Error> {
        let mut all = toml::Table::new();
        for part in [
            toml::Table::try_from(&self.api)?,
            toml::Table::try_from(&self.store)?,
            toml::Table::try_from(&self.worker)?,
            toml::Table::try_from(&self.rules)?,
            toml::Table::try_from(ShellSections {
                log: self.log.clone(),
            })?,
        ] {
            merge(&mut all, part);
        }
        toml::to_string(&all)
    }
}

/// One part's sections of the layers; a key left out keeps the part's default.
fn part<T: serde::de::DeserializeOwned>(layers: &Figment) -> Result<T, String> {
    layers.extract().map_err(|error| error.to_string())
}

/// `from` into `into`, table by table: two parts' halves of one section become one.
fn merge(into: &mut toml::Table, from: toml::Table) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(more)) => merge(existing, more),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn read(toml: &str) -> Result<Settings, String> {
        Settings::from_layers(&Figment::from(Toml::string(toml)))
    }

    #[test]
    fn runs_with_no_configuration_at_all() {
        let settings = read("").unwrap();
        assert_eq!(settings.rules, DeskRules::default());
        assert_eq!(settings.check(), Ok(()));
        assert!(settings.worker.outbox.in_process);
        assert_eq!(
            settings.rules.email_domains.as_slice(),
            ["kemenkeu.go.id", "customs.go.id"]
        );
    }

    #[test]
    fn each_part_reads_its_half_of_a_shared_section() {
        let settings = read(
            "[timers]\nendorsement_reminder_hours = 72\ninterval_secs = 5\n\
             [retention]\nscan_days = 7\ninterval_minutes = 0\n\
             [mail.smtp]\nhost = \"127.0.0.1\"\nsecurity = \"plain\"\n",
        )
        .unwrap();
        assert_eq!(
            settings.rules.timers.endorsement_reminder_after,
            Duration::hours(72)
        );
        assert_eq!(settings.worker.timers.interval_secs, 5);
        assert_eq!(settings.rules.retention.scan_days, 7);
        assert_eq!(settings.worker.retention.interval(), None);
        assert_eq!(settings.worker.mail.smtp.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            settings.worker.mail.smtp.port, 587,
            "unset keys keep their defaults"
        );

        let shown: toml::Table = settings.effective().unwrap().parse().unwrap();
        assert_eq!(
            shown["timers"]["endorsement_reminder_hours"].as_integer(),
            Some(72)
        );
        assert_eq!(shown["timers"]["interval_secs"].as_integer(), Some(5));
        assert_eq!(shown["retention"]["scan_days"].as_integer(), Some(7));
        assert_eq!(shown["retention"]["interval_minutes"].as_integer(), Some(0));
        assert_eq!(
            shown["lifecycle"]["default_queue"].as_str(),
            Some("general")
        );
    }

    #[test]
    fn a_rule_that_means_nothing_is_refused_by_its_key() {
        let refused = read("[lifecycle]\nendorsement_services = [15.4]\n").unwrap_err();
        assert!(refused.contains("\"15.4\""), "{refused}");
        let refused = read("[lifecycle]\ndefault_queue = \"RA Umum\"\n").unwrap_err();
        assert!(refused.contains("lifecycle.default_queue"), "{refused}");
    }

    #[test]
    fn secrets_are_shown_as_stars() {
        let settings = read(
            "[database]\nurl = \"postgres://desk:s3cret@db/certdesk\"\n\
             [mail.smtp]\npassword = \"s3cret\"\n\
             [console]\nsso_client_secret = \"s3cret\"\n",
        )
        .unwrap();
        let shown = settings.effective().unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
