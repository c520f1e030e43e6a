//! Where messages go: an SMTP relay, or `.eml` files for the embedded setup.

use std::path::PathBuf;

use lettre::address::Envelope;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

use crate::settings::MailSettings;
use crate::smtp::{Handover, SmtpSessions};

pub enum Mailer {
    Smtp(Box<SmtpSessions>),
    /// lettre's file transport: one `<uuid>.eml` per message, for a newcomer to read.
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
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
                    transport: AsyncFileTransport::new(&settings.outbox_dir),
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
            Self::Files { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, envelope: &Envelope, body: &[u8]) -> Handover {
        match self {
            Self::Smtp(sessions) => sessions.send(envelope, body).await,
            Self::Files { transport, .. } => match transport.send_raw(envelope, body).await {
                Ok(_) => Handover::Accepted,
                Err(error) => Handover::Broken {
                    after_body: false,
                    error: format!("writing the message file: {error}"),
                },
            },
        }
    }

    pub async fn close(&self) {
        if let Self::Smtp(sessions) = self {
            sessions.close().await;
        }
    }
}
