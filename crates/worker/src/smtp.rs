//! SMTP sessions to the relay, kept open and reused.
//!
//! Built on lettre's `AsyncSmtpConnection` rather than its `AsyncSmtpTransport`: the
//! transport pools connections too, but its `send` reports a dropped connection the same
//! way whether it happened before the message went out or after the final `.` and
//! before the server's answer. Only the second case may have delivered the message, and
//! the outbox treats it differently (one retry with the same Message-ID, not a loop), so
//! we drive the phases ourselves: MAIL, RCPT, DATA, then the body.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use certdesk_domain::identity::redact_addresses;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, TlsParameters, TlsParametersBuilder,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use secrecy::ExposeSecret;
use tokio::sync::Semaphore;

use crate::settings::{SmtpSecurity, SmtpSettings};

/// How one attempt to hand a message to the relay ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// The relay answered 2xx to the end of the message.
    Accepted,
    /// The relay answered with a reply code at some step; `permanent` for 5xx.
    Refused { permanent: bool, reply: String },
    /// No answer: the relay could not be reached, or the connection broke or timed out.
    /// `after_body` when it happened after the whole message was sent, so the relay may
    /// have accepted it.
    Broken { after_body: bool, error: String },
}

pub struct SmtpSessions {
    host: String,
    port: u16,
    security: SmtpSecurity,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle_limit: Duration,
    age_limit: Duration,
    message_limit: u32,
    idle: Mutex<Vec<Session>>,
    slots: Semaphore,
    connections: usize,
}

/// An open session and what it has done: sessions are retired by age and by use, so
/// that a relay whose configuration changed (a fixed 550, a new certificate) is met by a
/// fresh session soon, however busy the desk is.
struct Session {
    connection: AsyncSmtpConnection,
    opened: Instant,
    messages: u32,
    idle_since: Instant,
}

impl SmtpSessions {
    pub fn new(host: &str, settings: &SmtpSettings) -> Result<Self, String> {
        let tls = match settings.security {
            SmtpSecurity::Plain => None,
            SmtpSecurity::Starttls | SmtpSecurity::Tls => {
                let mut builder = TlsParametersBuilder::new(host.to_owned());
                if let Some(path) = &settings.ca_file {
                    let pem = std::fs::read(path).map_err(|e| {
                        format!("reading mail.smtp.ca_file {}: {e}", path.display())
                    })?;
                    let ca = Certificate::from_pem(&pem)
                        .map_err(|e| format!("mail.smtp.ca_file {}: {e}", path.display()))?;
                    builder = builder.add_root_certificate(ca);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| format!("TLS setup: {e}"))?,
                )
            }
        };
        let credentials = match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => Some(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            )),
            (None, None) => None,
            _ => return Err("mail.smtp.username and mail.smtp.password go together".into()),
        };
        let hello = settings
            .hello_name
            .clone()
            .map(ClientId::Domain)
            .unwrap_or_default();
        let connections = settings.connections.max(1);
        Ok(Self {
            host: host.to_owned(),
            port: settings.port,
            security: settings.security,
            tls,
            credentials,
            hello,
            timeout: settings.timeout(),
            idle_limit: Duration::from_secs(settings.idle_secs),
            age_limit: Duration::from_secs(settings.max_session_secs.max(1)),
            message_limit: settings.max_session_messages.max(1),
            idle: Mutex::new(Vec::with_capacity(connections)),
            slots: Semaphore::new(connections),
            connections,
        })
    }

    /// Messages that can be in flight at once.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// Hands one message to the relay over a pooled session.
    pub async fn send(&self, envelope: &Envelope, body: &[u8]) -> Handover {
        let Ok(_slot) = self.slots.acquire().await else {
            return Handover::Broken {
                after_body: false,
                error: "the SMTP sessions were shut down".into(),
            };
        };
        // A pooled session the relay closed while idle fails on its first command; that
        // is no failure of the message, so it gets one fresh session.
        let mut reused = self.take_idle();
        loop {
            let was_reused = reused.is_some();
            let mut session = match reused.take() {
                Some(session) => session,
                None => match self.connect().await {
                    Ok(connection) => Session {
                        connection,
                        opened: Instant::now(),
                        messages: 0,
                        idle_since: Instant::now(),
                    },
                    Err(error) => return error,
                },
            };
            let outcome = self
                .transaction(&mut session.connection, envelope, body)
                .await;
            session.messages += 1;
            match &outcome {
                Handover::Accepted if !session.connection.has_broken() => {
                    if self.worn_out(&session) {
                        retire(session).await;
                    } else {
                        self.put_idle(session);
                    }
                }
                // After a refusal the session is mid-transaction; a fresh one is simpler
                // than RSET and refusals are rare.
                Handover::Broken {
                    after_body: false, ..
                } if was_reused => continue,
                _ => session.connection.abort().await,
            }
            return outcome;
        }
    }

    /// Whether a session has served its time or its count of messages.
    fn worn_out(&self, session: &Session) -> bool {
        session.opened.elapsed() >= self.age_limit || session.messages >= self.message_limit
    }

    async fn transaction(
        &self,
        connection: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        body: &[u8],
    ) -> Handover {
        let before_body = async {
            // 8BITMIME is not needed: lettre encodes our bodies as quoted-printable.
            connection
                .command(Mail::new(envelope.from().cloned(), vec![]))
                .await?;
            for to in envelope.to() {
                connection.command(Rcpt::new(to.clone(), vec![])).await?;
            }
            connection.command(Data).await
        };
        match tokio::time::timeout(self.timeout, before_body).await {
            Err(_) => {
                return Handover::Broken {
                    after_body: false,
                    error: "timed out before the message was sent".into(),
                };
            }
            Ok(Err(error)) => return classify(&error, false),
            Ok(Ok(_)) => {}
        }
        match tokio::time::timeout(self.timeout, connection.message(body)).await {
            Err(_) => Handover::Broken {
                after_body: true,
                error: "timed out waiting for the answer to the message".into(),
            },
            Ok(Err(error)) => classify(&error, true),
            Ok(Ok(_)) => Handover::Accepted,
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Handover> {
        let broken = |error: String| Handover::Broken {
            after_body: false,
            error,
        };
        let implicit_tls = match self.security {
            SmtpSecurity::Tls => self.tls.clone(),
            SmtpSecurity::Starttls | SmtpSecurity::Plain => None,
        };
        // Our own socket where we can, for TCP_NODELAY: lettre writes the body and the
        // final "." separately, and with Nagle's algorithm the second write waits for the
        // peer's delayed ACK (40 ms on Linux) on every message.
        let socket = if implicit_tls.is_none() {
            let address = (self.host.as_str(), self.port);
            match tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect(address)).await
            {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    Some(stream)
                }
                Ok(Err(error)) => {
                    return Err(broken(format!(
                        "connecting to {}:{}: {error}",
                        self.host, self.port
                    )));
                }
                Err(_) => {
                    return Err(broken(format!(
                        "timed out connecting to {}:{}",
                        self.host, self.port
                    )));
                }
            }
        } else {
            None
        };
        let setup = async {
            let mut connection = match socket {
                Some(stream) => {
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                        .await?
                }
                None => {
                    AsyncSmtpConnection::connect_tokio1(
                        (self.host.as_str(), self.port),
                        Some(self.timeout),
                        &self.hello,
                        implicit_tls,
                        None,
                    )
                    .await?
                }
            };
            if let (SmtpSecurity::Starttls, Some(tls)) = (self.security, &self.tls) {
                // Refuses when the relay does not offer STARTTLS: never fall back to plain.
                connection.starttls(tls.clone(), &self.hello).await?;
            }
            if let Some(credentials) = &self.credentials {
                connection
                    .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(connection)
        };
        match tokio::time::timeout(self.timeout, setup).await {
            Err(_) => Err(broken(format!(
                "timed out connecting to {}:{}",
                self.host, self.port
            ))),
            Ok(Err(error)) => Err(match classify(&error, false) {
                // A refusal while connecting (e.g. 421, 535) concerns the session, not
                // this message: try again later rather than dead-letter it.
                Handover::Refused { reply, .. } => broken(format!("while connecting: {reply}")),
                other => other,
            }),
            Ok(Ok(connection)) => Ok(connection),
        }
    }

    fn take_idle(&self) -> Option<Session> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(session) = idle.pop() {
            if session.idle_since.elapsed() < self.idle_limit && !self.worn_out(&session) {
                return Some(session);
            }
            // Idle too long to trust, or past its age: dropping it closes the socket.
        }
        None
    }

    fn put_idle(&self, mut session: Session) {
        session.idle_since = Instant::now();
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(session);
    }

    /// Says QUIT on every idle session (graceful shutdown).
    pub async fn close(&self) {
        let idle: Vec<_> =
            std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for session in idle {
            retire(session).await;
        }
    }
}

/// Ends a session politely: QUIT, briefly waited for.
async fn retire(mut session: Session) {
    let _ = tokio::time::timeout(Duration::from_secs(2), session.connection.quit()).await;
}

/// What happened, in the server's words with every address's local part redacted: the
/// text goes to log lines, to the row's `last_error` and to the dead-letter list.
fn classify(error: &lettre::transport::smtp::Error, after_body: bool) -> Handover {
    let said = redact_addresses(&error.to_string());
    if error.status().is_some() {
        // Reads as "permanent error (550): <the server's text>".
        return Handover::Refused {
            permanent: error.is_permanent(),
            reply: said,
        };
    }
    Handover::Broken {
        // Only a failure of the connection itself leaves the outcome open.
        after_body: after_body && !error.is_client(),
        error: said,
    }
}
