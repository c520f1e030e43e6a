//! The worker's settings: `[mail]` (what the emails look like and how they leave),
//! `[outbox]` (how deliveries are leased and retried), and how often the worker runs the
//! desk's clocks (`timers.interval_secs`) and the retention pass
//! (`retention.interval_minutes`). Typed values with their defaults; the binary reads
//! them from the layered configuration. The rules those passes apply (when a reminder is
//! due, how long data is kept) are the domain's `DeskRules`, read from the same sections.

use std::path::PathBuf;
use std::time::Duration;

use certdesk_domain::Language;
use certdesk_domain::local_time::IndonesianTime;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerSettings {
    pub mail: MailSettings,
    pub outbox: OutboxSettings,
    pub timers: TimerSchedule,
    pub retention: RetentionSchedule,
}

/// How often each worker runs the desk's clocks (each deadline is applied once, however
/// many workers run).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TimerSchedule {
    /// Seconds between two timer passes of each worker; 0 switches them off
    /// (`certdesk timers run` still works).
    pub interval_secs: u64,
}

impl Default for TimerSchedule {
    fn default() -> Self {
        Self { interval_secs: 60 }
    }
}

impl TimerSchedule {
    /// `None` when the scheduled timer pass is off.
    pub fn interval(&self) -> Option<Duration> {
        (self.interval_secs > 0).then(|| Duration::from_secs(self.interval_secs))
    }
}

/// How often each worker looks for personal data past its retention period.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSchedule {
    /// Minutes between two passes of each worker; 0 switches the scheduled pass off
    /// (`certdesk retention run` still works).
    pub interval_minutes: u64,
}

impl Default for RetentionSchedule {
    fn default() -> Self {
        Self {
            interval_minutes: 60,
        }
    }
}

impl RetentionSchedule {
    /// `None` when the scheduled pass is off.
    pub fn interval(&self) -> Option<Duration> {
        (self.interval_minutes > 0).then(|| Duration::from_secs(self.interval_minutes * 60))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// The sender, as `Name <address>`. Its domain also names the Message-IDs.
    pub from: String,
    /// How the desk signs its emails.
    pub desk_name: String,
    /// `id` or `en`: for recipients who have not asked for a language.
    pub language: String,
    /// A link to a ticket, with `{number}` where the ticket number goes; empty for none.
    pub ticket_url: String,
    /// The desk's inbound address (where `certdesk mail receive` is wired), as
    /// `Name <address>` or an address; empty when replies are not read. Set, emails to
    /// requesters and agents carry it as `Reply-To` and invite replies.
    pub reply_to: String,
    /// Auto-replies one sender may get in an hour from `certdesk mail receive` (why their
    /// email was not taken); 0 sends none.
    pub auto_replies_per_hour: u32,
    /// The clock deadlines are written in: `WIB`, `WITA` or `WIT`.
    pub time_zone: String,
    /// Where messages are written as `.eml` files when no SMTP host is set.
    pub outbox_dir: PathBuf,
    pub smtp: SmtpSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    /// The relay to send through; unset writes files to `mail.outbox_dir` instead.
    pub host: Option<String>,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Shown as `***` when set.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "redacted")]
    pub password: Option<SecretString>,
    /// A PEM file of extra CA certificates (an internal relay's CA).
    pub ca_file: Option<PathBuf>,
    /// The name given in EHLO; defaults to this machine's host name.
    pub hello_name: Option<String>,
    /// Limit for connecting and for each SMTP exchange, in seconds.
    pub timeout_secs: u64,
    /// Connections kept open to the relay, and so messages in flight at once.
    pub connections: usize,
    /// An idle connection older than this is closed rather than reused, in seconds.
    pub idle_secs: u64,
    /// A session is retired (QUIT) after this long, in seconds, however busy: a relay
    /// whose configuration changed is met afresh (like Postfix's
    /// `smtp_connection_reuse_time_limit`).
    pub max_session_secs: u64,
    /// A session is retired after this many messages (like Postfix's
    /// `smtp_connection_reuse_count_limit`).
    pub max_session_messages: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must be offered (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test server.
    Plain,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OutboxSettings {
    /// `certdesk serve` also runs a worker in its own process (the embedded setup).
    pub in_process: bool,
    /// Events leased per round.
    pub batch_size: u64,
    /// How long a lease lasts, in seconds: after that a stalled worker's messages go to
    /// another. Keep it well above the time a batch can take.
    pub lease_secs: u64,
    /// Attempts before a message is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay, doubled on each attempt, in seconds.
    pub backoff_base_secs: u64,
    /// Longest retry delay, in seconds.
    pub backoff_max_secs: u64,
    /// Polling interval when idle, in milliseconds (PostgreSQL also wakes on NOTIFY).
    pub poll_interval_ms: u64,
    /// On shutdown, how long messages already on the wire may take, in seconds.
    pub shutdown_grace_secs: u64,
    /// A file the worker touches after each round that reached the database, for
    /// `certdesk worker --check` (a container's healthcheck); unset, none is written.
    pub heartbeat_file: Option<PathBuf>,
    /// How old the heartbeat may be, in seconds, before `certdesk worker --check` says
    /// the worker is not alive. A round comes at least every poll interval.
    pub heartbeat_max_age_secs: u64,
}

fn redacted<S: serde::Serializer>(_: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("***")
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "Layanan Sertifikat Elektronik <no-reply@certdesk.invalid>".into(),
            desk_name: "Layanan Sertifikat Elektronik".into(),
            language: "id".into(),
            time_zone: "WIB".into(),
            reply_to: String::new(),
            auto_replies_per_hour: certdesk_domain::inbound::AUTO_REPLIES_PER_HOUR,
            ticket_url: String::new(),
            outbox_dir: PathBuf::from("./data/outbox"),
            smtp: SmtpSettings::default(),
        }
    }
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            ca_file: None,
            hello_name: None,
            timeout_secs: 30,
            connections: 8,
            idle_secs: 60,
            max_session_secs: 300,
            max_session_messages: 100,
        }
    }
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            in_process: true,
            batch_size: 64,
            lease_secs: 300,
            max_attempts: 8,
            backoff_base_secs: 30,
            backoff_max_secs: 3600,
            poll_interval_ms: 2000,
            shutdown_grace_secs: 20,
            heartbeat_file: Some(PathBuf::from("./data/worker.alive")),
            heartbeat_max_age_secs: 60,
        }
    }
}

impl MailSettings {
    pub fn time_zone(&self) -> Result<IndonesianTime, String> {
        IndonesianTime::from_code(&self.time_zone).ok_or_else(|| {
            format!(
                "mail.time_zone {:?} is none of WIB, WITA, WIT",
                self.time_zone
            )
        })
    }

    pub fn default_language(&self) -> Result<Language, String> {
        Language::from_tag(&self.language)
            .ok_or_else(|| format!("mail.language {:?} is neither id nor en", self.language))
    }
}

impl SmtpSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

impl WorkerSettings {
    /// Values that read well alone but cannot work together.
    pub fn check(&self) -> Result<(), String> {
        // Between two beats a healthy worker may wait out a poll, and a round may wait on
        // a slow relay for its timeout: a heartbeat allowed less than that would report
        // a working worker as dead.
        let needed = (self.outbox.poll_interval() * 2)
            .max(self.mail.smtp.timeout() * 2)
            .as_secs()
            .max(1);
        if self.outbox.heartbeat_file.is_some() && self.outbox.heartbeat_max_age_secs < needed {
            return Err(format!(
                "outbox.heartbeat_max_age_secs is {} s: at least {needed} s (twice the longer of outbox.poll_interval_ms and mail.smtp.timeout_secs), or a worker waiting on its relay is reported dead",
                self.outbox.heartbeat_max_age_secs
            ));
        }
        Ok(())
    }
}

impl OutboxSettings {
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs.max(1))
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_shorter_than_a_slow_round_is_refused() {
        let mut settings = WorkerSettings::default();
        assert_eq!(settings.check(), Ok(()));
        settings.outbox.heartbeat_max_age_secs = 30;
        let refused = settings.check().unwrap_err();
        assert!(refused.contains("at least 60 s"), "{refused}");
        settings.outbox.heartbeat_file = None;
        assert_eq!(settings.check(), Ok(()), "no heartbeat, nothing to check");
    }

    #[test]
    fn runs_with_no_configuration_at_all() {
        let settings = WorkerSettings::default();
        assert!(settings.mail.smtp.host.is_none(), "files by default");
        assert!(settings.outbox.in_process);
        assert_eq!(
            settings.mail.default_language().unwrap(),
            Language::Indonesian
        );
        assert_eq!(settings.timers.interval(), Some(Duration::from_secs(60)));
    }
}
