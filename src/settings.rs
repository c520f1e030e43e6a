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
use figment::providers::{Env, Format, Serialized, Toml};
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

/// The settings, and what was written that no part reads (a misspelt key, most often).
pub struct Loaded {
    pub settings: Settings,
    pub unknown: Vec<String>,
}

impl Settings {
    /// Defaults, then `file` (if given, it must exist), then the environment. A value
    /// that does not read is refused, named as it was written (the variable or the
    /// file's key) with the value unless it is a secret.
    pub fn load(file: Option<&Path>) -> Result<Loaded, String> {
        let mut layers = Figment::new();
        if let Some(file) = file {
            layers = layers.merge(Toml::file_exact(file));
        }
        let mut layers = layers.merge(Env::prefixed(ENV_PREFIX).split("__"));
        // The environment provider reads `83726154` as a number and `0123` as 123: a
        // secret is text whatever it looks like, so secrets are laid over as written.
        for (name, value) in desk_variables() {
            let path = env_path(&name);
            if path.iter().any(|key| is_secret(key)) {
                layers = layers.merge(Serialized::default(&path.join("."), value));
            }
        }
        let known = Self::default()
            .effective_table()
            .map_err(|e| e.to_string())?;
        let settings =
            Self::from_layers(&layers).map_err(|error| described(*error, file, &layers, &known))?;
        let effective = settings.effective_table().map_err(|e| e.to_string())?;
        let unknown = unknown_keys(file, &effective);
        Ok(Loaded { settings, unknown })
    }

    /// Every part's sections of `layers`, over their defaults; a value that reads but
    /// means nothing (an unknown service code, a link that never works) is refused here,
    /// by its key.
    fn from_layers(layers: &Figment) -> Result<Self, Box<figment::Error>> {
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
        self.store.check()?;
        self.worker.check()?;
        crate::calendar::load(&self.rules.calendar)?;
        certdesk_worker::Composer::new(&self.worker.mail)?;
        Ok(())
    }

    /// The configuration in effect, as TOML, with secrets redacted: what the defaults,
    /// the file and the environment made together. A section two parts read shows what
    /// both read.
    pub fn effective(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(&self.effective_table()?)
    }

    fn effective_table(&self) -> Result<toml::Table, toml::ser::Error> {
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
        Ok(all)
    }
}

const ENV_PREFIX: &str = "CERTDESK_";
/// `CERTDESK_CONFIG` names the file; it is not a setting itself.
const ENV_CONFIG: &str = "CERTDESK_CONFIG";

/// One part's sections of the layers; a key left out keeps the part's default.
fn part<T: serde::de::DeserializeOwned>(layers: &Figment) -> Result<T, Box<figment::Error>> {
    layers.extract().map_err(Box::new)
}

/// A configuration error as the person wrote the value: the variable or the file's key,
/// the value, and what is wrong. The value is shown only for a known setting that holds
/// no secret: a section (`CERTDESK_DATABASE=…`) or a misplaced key may hold a password,
/// and serde's own words quote what they found, so those are cut to what was expected.
fn described(
    error: figment::Error,
    file: Option<&Path>,
    layers: &Figment,
    known: &toml::Table,
) -> String {
    error
        .into_iter()
        .map(|error| {
            let path: Vec<String> = error.path.iter().map(|k| k.to_ascii_lowercase()).collect();
            let dotted = path.join(".");
            let from_env = error
                .metadata
                .as_ref()
                .is_some_and(|m| m.name.contains("environment"));
            let shown_safely = !path.iter().any(|key| is_secret(key))
                && leaves(known, &mut Vec::new()).contains(&path);
            let written = if from_env {
                let name = env_name(&path);
                match std::env::var(&name) {
                    Ok(value) if shown_safely => format!("{name}={value:?}"),
                    Ok(_) => name,
                    // A whole section refused its values together.
                    Err(_) => format!("[{dotted}] ({name}__…)"),
                }
            } else {
                let key = match file {
                    Some(file) => format!("{dotted} in {}", file.display()),
                    None => dotted.clone(),
                };
                match layers.find_value(&dotted).ok().filter(|_| shown_safely) {
                    Some(value) => format!("{key} = {}", shown(&value)),
                    _ => key,
                }
            };
            // A rule's own refusal (a message of ours) names no secret; serde's words
            // about a value it found may quote it.
            let ours = matches!(error.kind, figment::error::Kind::Message(_))
                && !path.iter().any(|key| is_secret(key));
            let wrong = if shown_safely || ours {
                error.kind.to_string()
            } else {
                without_the_value(&error.kind)
            };
            if path.is_empty() {
                wrong
            } else {
                format!("{written}: {wrong}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What is wrong, without what serde found: only what it expected.
fn without_the_value(kind: &figment::error::Kind) -> String {
    use figment::error::Kind;
    match kind {
        Kind::InvalidType(_, expected) => format!("invalid type: expected {expected}"),
        Kind::InvalidValue(_, expected) => format!("invalid value: expected {expected}"),
        Kind::Message(_) => {
            String::from("the value is not accepted (not shown: it may hold a secret)")
        }
        other => other.to_string(),
    }
}

/// A value as it reads in the file.
fn shown(value: &figment::value::Value) -> String {
    value
        .deserialize::<toml::Value>()
        .map_or_else(|_| String::from("…"), |value| value.to_string())
}

/// Keys whose values are never shown: URLs that may hold a password, the keys, secrets.
fn is_secret(leaf: &str) -> bool {
    leaf.ends_with("url") || leaf.contains("password") || leaf.contains("secret") || leaf == "keys"
}

/// The `CERTDESK_*` variables, sorted, except `CERTDESK_CONFIG`. The prefix is matched
/// as the environment provider matches it, in any case; a variable whose name or value
/// is not UTF-8 is not ours to read (and must not stop `mail receive`).
fn desk_variables() -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, _)| {
            name.get(..ENV_PREFIX.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(ENV_PREFIX))
                && !name.eq_ignore_ascii_case(ENV_CONFIG)
        })
        .collect();
    variables.sort();
    variables
}

/// A variable's path of keys: `CERTDESK_MAIL__SMTP__HOST` is `mail.smtp.host`.
fn env_path(name: &str) -> Vec<String> {
    name[ENV_PREFIX.len()..]
        .split("__")
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A key's environment variable: `CERTDESK_` and the path joined by `__`.
fn env_name(path: &[String]) -> String {
    format!("{ENV_PREFIX}{}", path.join("__").to_ascii_uppercase())
}

/// What was written that no part reads: a `CERTDESK_*` variable or a file's key whose
/// path is not in the configuration in effect. Each with the nearest key there is.
fn unknown_keys(file: Option<&Path>, effective: &toml::Table) -> Vec<String> {
    let known = leaves(effective, &mut Vec::new());
    let nearest = |path: &[String]| {
        let dotted = path.join(".");
        known
            .iter()
            .map(|k| (strsim::levenshtein(&dotted, &k.join(".")), k))
            .filter(|(distance, _)| *distance <= 3)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, k)| k.clone())
    };
    let mut unknown = Vec::new();
    for (name, _) in desk_variables() {
        let path = env_path(&name);
        if !holds(effective, &path) {
            let hint = nearest(&path).map_or(String::new(), |k| {
                format!(" (did you mean {}?)", env_name(&k))
            });
            unknown.push(format!("{name} is not a setting; it is ignored{hint}"));
        }
    }
    if let Some(file) = file
        && let Ok(text) = std::fs::read_to_string(file)
        && let Ok(table) = text.parse::<toml::Table>()
    {
        for path in leaves(&table, &mut Vec::new()) {
            if !holds(effective, &path) {
                let hint = nearest(&path).map_or(String::new(), |k| {
                    format!(" (did you mean {}?)", k.join("."))
                });
                unknown.push(format!(
                    "{} in {} is not a setting; it is ignored{hint}",
                    path.join("."),
                    file.display()
                ));
            }
        }
    }
    unknown
}

/// The paths of a table's values (a list is a value).
fn leaves(table: &toml::Table, prefix: &mut Vec<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (key, value) in table {
        prefix.push(key.clone());
        match value {
            toml::Value::Table(inner) => out.extend(leaves(inner, prefix)),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
    out
}

/// Whether `path` names a value, or a section, of `table`.
fn holds(table: &toml::Table, path: &[String]) -> bool {
    match path {
        [] => true,
        [key, rest @ ..] => match table.get(key) {
            Some(toml::Value::Table(inner)) => holds(inner, rest),
            Some(_) => rest.is_empty(),
            None => false,
        },
    }
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
        Settings::from_layers(&Figment::from(Toml::string(toml))).map_err(|e| e.to_string())
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
    // figment's Jail takes a closure returning figment's own (large) error.
    #[allow(clippy::result_large_err)]
    fn a_secret_that_looks_like_a_number_is_read_as_written() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CERTDESK_MAIL__SMTP__PASSWORD", "0123");
            jail.set_env("CERTDESK_DATABASE__URL", "postgres://desk:0123@db/certdesk");
            let loaded = Settings::load(None).map_err(|e| e.to_string())?;
            let password = loaded.settings.worker.mail.smtp.password.unwrap();
            assert_eq!(secrecy::ExposeSecret::expose_secret(&password), "0123");
            assert!(loaded.unknown.is_empty(), "{:?}", loaded.unknown);
            Ok(())
        });
    }

    #[test]
    // figment's Jail takes a closure returning figment's own (large) error.
    #[allow(clippy::result_large_err)]
    fn a_refused_value_is_shown_only_when_it_cannot_be_a_secret() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CERTDESK_DATABASE", "postgres://u:hunter2@h/db");
            let said = Settings::load(None).err().unwrap();
            assert!(
                said.contains("CERTDESK_DATABASE") && !said.contains("hunter2"),
                "{said}"
            );
            jail.clear_env();

            jail.create_file("desk.toml", "[mail.smtp]\npassword = 654321\n")?;
            let said = Settings::load(Some(Path::new("desk.toml"))).err().unwrap();
            assert!(
                said.contains("mail.smtp.password") && !said.contains("654321"),
                "{said}"
            );

            jail.set_env("CERTDESK_SERVER__LISTEN", "nonsense");
            let said = Settings::load(None).err().unwrap();
            assert!(
                said.contains("CERTDESK_SERVER__LISTEN=\"nonsense\""),
                "{said}"
            );
            Ok(())
        });
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
