//! Where messages go: an SMTP relay, or `.eml` files for the embedded setup.

use std::path::PathBuf;

use lettre::address::Envelope;

use crate::settings::MailSettings;
use crate::smtp::{Handover, SmtpSessions};

pub enum Mailer {
    Smtp(Box<SmtpSessions>),
    /// One `.eml` file per message, for a newcomer to read: named by the event's time,
    /// its ticket and its id, so that a listing is in the order things happened.
    Files {
        dir: PathBuf,
    },
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        Ok(match &settings.smtp.host {
            Some(host) if !host.is_empty() => {
                Self::Smtp(Box::new(SmtpSessions::new(host, &settings.smtp)?))
            }
            _ => {
                std::fs::create_dir_all(&settings.outbox_dir).map_err(|e| {
                    format!(
                        "creating mail.outbox_dir {}: {e}",
                        settings.outbox_dir.display()
                    )
                })?;
                Self::Files {
                    dir: settings.outbox_dir.clone(),
                }
            }
        })
    }

    /// Messages that may be in flight at once.
    pub fn parallelism(&self) -> usize {
        match self {
            Self::Smtp(sessions) => sessions.connections(),
            Self::Files { .. } => 4,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(_) => "SMTP relay".into(),
            Self::Files { dir } => format!("files in {}", dir.display()),
        }
    }

    /// Hands a message over: to the relay, or into a file named `file_name` (written
    /// whole, then renamed into place, so that a reader never sees half of one).
    pub async fn send(&self, envelope: &Envelope, body: &[u8], file_name: &str) -> Handover {
        match self {
            Self::Smtp(sessions) => sessions.send(envelope, body).await,
            Self::Files { dir } => {
                let path = dir.join(file_name);
                let partial = dir.join(format!(".{file_name}.partial"));
                let written = async {
                    tokio::fs::write(&partial, body).await?;
                    tokio::fs::rename(&partial, &path).await
                };
                match written.await {
                    Ok(()) => Handover::Accepted,
                    Err(error) => Handover::Broken {
                        after_body: false,
                        error: format!("writing the message file: {error}"),
                    },
                }
            }
        }
    }

    pub async fn close(&self) {
        if let Self::Smtp(sessions) = self {
            sessions.close().await;
        }
    }
}
