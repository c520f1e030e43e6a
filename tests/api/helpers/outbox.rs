//! The outbox side of the harness: a worker pointed at the test SMTP server, the staff
//! directory entry agents need for email, and the outbox rows as the database holds them.

use certdesk_domain::lifecycle::Role;
use certdesk_worker::{SmtpSecurity, Worker, WorkerSettings};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::{AGENT_NIP, SUPERVISOR_NIP, TestApp};

pub const AGENT_EMAIL: &str = "petugas.ra@kemenkeu.go.id";
pub const OFFICER_EMAIL: &str = "kepala.upk.setjen@kemenkeu.go.id";
pub const REQUESTER_EMAIL: &str = "andi.contoh@kemenkeu.go.id";

/// The worker's settings for a test: the loopback server, plain SMTP, quick retries.
pub fn worker_settings(smtp_port: u16) -> WorkerSettings {
    let mut settings = WorkerSettings::default();
    settings.mail.smtp.host = Some("127.0.0.1".into());
    settings.mail.smtp.port = smtp_port;
    settings.mail.smtp.security = SmtpSecurity::Plain;
    settings.mail.smtp.timeout_secs = 5;
    settings.outbox.backoff_base_secs = 1;
    settings.outbox.backoff_max_secs = 1;
    settings.outbox.poll_interval_ms = 100;
    // Tests run from the package's folder: no heartbeat file in it.
    settings.outbox.heartbeat_file = None;
    settings
}

pub async fn worker(app: &TestApp, settings: &WorkerSettings) -> Worker {
    let store = app.open_store().await;
    Worker::new(store, settings, &app.rules).unwrap()
}

/// Agents get email through the staff directory, like officers.
pub async fn put_agent_in_directory(app: &TestApp) {
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let response = app
        .client
        .put(app.url(&format!("/api/v1/staff/{AGENT_NIP}")))
        .bearer_auth(supervisor)
        .json(&json!({
            "name": "Petugas RA Contoh",
            "unit": "Sekretariat Jenderal",
            "email": AGENT_EMAIL,
            "role": "agent",
            "active": true
        }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

/// (event id as in Message-IDs, kind, delivery) of every outbox row.
pub async fn events(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id, kind, delivery FROM ticket_events ORDER BY id",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let id: uuid::Uuid = row.try_get("", "id").unwrap();
            (
                id.simple().to_string(),
                row.try_get("", "kind").unwrap(),
                row.try_get("", "delivery").unwrap(),
            )
        })
        .collect()
}
