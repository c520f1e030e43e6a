//! Status emails end to end: tickets change through the API, the worker sends what the
//! outbox holds to a real SMTP server on loopback (aiosmtpd), and the tests read what
//! arrived. Faults (451, 550, a connection dropped after the message, a killed worker)
//! are switched on in the server or done to the worker process.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
use std::time::Duration;

use certdesk_domain::lifecycle::Role;
use certdesk_worker::{Worker, WorkerSettings};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::helpers::*;

use crate::mail_server::{MailServer, Received};
use crate::on_both_backends;

on_both_backends!(
    every_event_reaches_its_recipient_in_their_language,
    a_server_answering_451_for_a_while_loses_nothing,
    a_550_is_dead_lettered_and_requeueing_delivers_it,
    a_message_dropped_after_data_is_retried_once_with_the_same_message_id,
    sessions_are_retired_after_their_count_of_messages_and_their_age,
);

fn event_of(message: &Received) -> String {
    message
        .message_id
        .trim_start_matches('<')
        .split('.')
        .next()
        .unwrap()
        .to_owned()
}

async fn every_event_reaches_its_recipient_in_their_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    put_agent_in_directory(&app).await;
    let p = people(&app);
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);

    // 15.1 through every step the requester and the agent can hear of.
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    walk(
        &app,
        &number,
        v,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": "Pindaian KTP buram."}),
                "awaiting_requester",
            ),
            (
                &p.requester,
                json!({"action": "reply", "reason": "Sudah diperbaiki."}),
                "in_review",
            ),
            (
                &p.agent,
                json!({"action": "wait_on_authority", "certificate_status": "On Set Passphrase"}),
                "waiting_on_authority",
            ),
            (&p.agent, json!({"action": "resume_review"}), "in_review"),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (
                &p.requester,
                json!({"action": "reopen", "reason": "Tautan belum diterima."}),
                "in_review",
            ),
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (&p.requester, json!({"action": "close"}), "closed"),
        ],
    )
    .await;
    // 15.3 declined by the officer.
    let mut revocation = ticket_json("15.3");
    revocation["reason"] = json!("retired");
    let (number, v) = file(&app, revocation, required_files()).await;
    walk(
        &app,
        &number,
        v,
        &[(
            &p.officer,
            json!({"action": "decline", "reason": "Bukan pegawai unit ini."}),
            "rejected",
        )],
    )
    .await;
    // 15.2 assigned by a supervisor, then rejected.
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;
    walk(
        &app,
        &number,
        v,
        &[
            (
                &supervisor,
                json!({"action": "assign", "assignee_nip": AGENT_NIP}),
                "in_review",
            ),
            (
                &p.agent,
                json!({"action": "reject", "reason": "Masa berlaku masih panjang."}),
                "rejected",
            ),
        ],
    )
    .await;
    // 15.1 withdrawn by the requester: the officer hears too.
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    walk(
        &app,
        &number,
        v,
        &[(&p.requester, json!({"action": "cancel"}), "cancelled")],
    )
    .await;
    // A requester who asked for English.
    file_passphrase_reset_in_english(&app, 7, "en-GB,en;q=0.9,id;q=0.5").await;

    let settled = worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    let events = events(&app).await;
    assert_eq!(settled as usize, events.len());
    let messages = server.wait_for(events.len(), Duration::from_secs(10)).await;
    assert_eq!(messages.len(), events.len(), "one message per event");

    let kinds: HashSet<&str> = events.iter().map(|(_, kind, _)| kind.as_str()).collect();
    for kind in [
        "ticket_received",
        "endorsement_needed",
        "endorsed",
        "declined",
        "claimed",
        "assigned",
        "information_requested",
        "requester_replied",
        "waiting_on_authority",
        "review_resumed",
        "resolved",
        "rejected",
        "cancelled",
        "reopened",
        "closed",
    ] {
        assert!(kinds.contains(kind), "no {kind} event was produced");
    }
    let by_event: HashMap<String, &Received> = messages.iter().map(|m| (event_of(m), m)).collect();
    for (id, kind, delivery) in &events {
        assert_eq!(delivery, "sent", "{kind}");
        let message = by_event
            .get(id)
            .unwrap_or_else(|| panic!("no message for {kind} event {id}"));
        assert!(
            message.subject.starts_with("[S") && message.subject.as_bytes()[13] == b']',
            "{kind}: {}",
            message.subject
        );
        assert_eq!(message.auto_submitted.as_deref(), Some("auto-generated"));
        let text = message.text.as_deref().unwrap_or_default();
        assert!(!text.contains(REQUESTER_NIK), "{kind}: a NIK in an email");
        assert!(message.html.is_some(), "{kind}: an HTML alternative");
    }

    let to = |address: &str| -> Vec<&Received> {
        messages
            .iter()
            .filter(|m| m.rcpt_tos == [address.to_owned()])
            .collect()
    };
    let subjects = |address: &str| -> Vec<String> {
        let mut subjects: Vec<String> = to(address)
            .iter()
            .map(|m| m.subject[15..].to_owned())
            .collect();
        subjects.sort();
        subjects
    };
    assert_eq!(
        subjects(OFFICER_EMAIL),
        [
            "Permohonan ditarik",
            "Permohonan menunggu persetujuan Bapak/Ibu",
            "Permohonan menunggu persetujuan Bapak/Ibu",
            "Permohonan menunggu persetujuan Bapak/Ibu",
        ]
    );
    assert_eq!(
        subjects(AGENT_EMAIL),
        [
            "Pemohon telah menanggapi",
            "Tiket ditugaskan kepada Bapak/Ibu"
        ]
    );
    let english = to("andi.contoh7@kemenkeu.go.id");
    assert_eq!(english.len(), 1);
    assert!(english[0].subject.ends_with("] Ticket received"));
    assert_eq!(english[0].content_language.as_deref(), Some("en"));
    let requester = to(REQUESTER_EMAIL);
    assert!(
        requester
            .iter()
            .all(|m| m.content_language.as_deref() == Some("id"))
    );
    for subject in [
        "Tiket diterima",
        "Permohonan disetujui pejabat penanggung jawab",
        "Permohonan tidak disetujui",
        "Tiket sedang diproses",
        "Kelengkapan permohonan diperlukan",
        "Menunggu proses di Otoritas Sertifikat",
        "Tiket selesai",
        "Tiket dibuka kembali",
        "Tiket ditutup",
        "Permohonan ditolak",
        "Tiket dibatalkan",
    ] {
        assert!(
            subjects(REQUESTER_EMAIL).iter().any(|s| s == subject),
            "the requester got no {subject:?}"
        );
    }
    let asked = requester
        .iter()
        .find(|m| m.subject.ends_with("Kelengkapan permohonan diperlukan"))
        .unwrap();
    assert!(
        asked
            .text
            .as_deref()
            .unwrap()
            .contains("Pindaian KTP buram.")
    );
}

/// A pooled session is not kept for ever: after an operator fixes the relay, the next
/// session meets the fixed relay. Retired after `max_session_messages`, and after
/// `max_session_secs` however busy.
async fn sessions_are_retired_after_their_count_of_messages_and_their_age(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    let mut settings = worker_settings(server.port);
    settings.mail.smtp.connections = 1;
    settings.mail.smtp.max_session_messages = 3;
    let counting = worker(&app, &settings).await;
    file_received(&app, 7).await;
    assert_eq!(counting.drain().await.unwrap(), 7);
    let sessions: HashSet<(String, u16)> = server
        .wait_for(7, Duration::from_secs(10))
        .await
        .into_iter()
        .map(|m| m.peer)
        .collect();
    assert_eq!(sessions.len(), 3, "3 + 3 + 1 messages: {sessions:?}");

    let mut server = MailServer::start();
    let mut settings = worker_settings(server.port);
    settings.mail.smtp.connections = 1;
    settings.mail.smtp.max_session_secs = 1;
    let ageing = worker(&app, &settings).await;
    file_received_as(&app, 40).await;
    ageing.drain().await.unwrap();
    file_received_as(&app, 41).await;
    ageing.drain().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    file_received_as(&app, 42).await;
    ageing.drain().await.unwrap();
    let peers: Vec<(String, u16)> = server
        .wait_for(3, Duration::from_secs(10))
        .await
        .into_iter()
        .map(|m| m.peer)
        .collect();
    assert_eq!(peers[0], peers[1], "a young session is reused");
    assert_ne!(peers[1], peers[2], "an old one is not");
}

/// Files `n` tickets for 15.2 (one `ticket_received` each) by different requesters.
async fn file_received(app: &TestApp, n: u32) {
    for i in 0..n {
        file_received_as(app, 20 + i).await;
    }
}

async fn wait_until(app: &TestApp, condition: &str, expected: i64, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let n = app.count_where("ticket_events", condition).await;
        if n == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{condition}: {n} rows, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_server_answering_451_for_a_while_loses_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    server.tempfail(true);
    file_received(&app, 3).await;
    let worker = worker(&app, &worker_settings(server.port)).await;
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let stop = stop.clone();
        async move { worker.run(stop).await }
    });
    // Every message is refused at least twice, and waits for its next try.
    wait_until(
        &app,
        "attempts >= 2 AND delivery = 'pending'",
        3,
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(server.count(), 0);
    assert_eq!(
        app.count_where("ticket_events", "last_error LIKE '%451%'")
            .await,
        3,
        "the server's answer is kept"
    );
    server.tempfail(false);
    wait_until(&app, "delivery = 'sent'", 3, Duration::from_secs(20)).await;
    stop.cancel();
    running.await.unwrap();
    let messages = server.messages();
    assert_eq!(messages.len(), 3);
    let ids: HashSet<_> = messages.iter().map(|m| &m.message_id).collect();
    assert_eq!(ids.len(), 3, "each message once");
}

async fn a_550_is_dead_lettered_and_requeueing_delivers_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    server.reject(REQUESTER_EMAIL);
    let (number, _) = file(
        &app,
        {
            let mut t = ticket_json("15.2");
            t["subtype"] = json!("renewal");
            t
        },
        required_files(),
    )
    .await;
    let worker = worker(&app, &worker_settings(server.port)).await;
    worker.drain().await.unwrap();
    assert_eq!(server.count(), 0);

    // Supervisors see it with the server's answer; nobody else does.
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let denied = app.get_as(&agent, "/api/v1/outbox/dead-letters").await;
    assert_eq!(denied.status(), 403);
    let page: Value = app
        .get_as(&supervisor, "/api/v1/outbox/dead-letters")
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["ticket"], number);
    assert_eq!(items[0]["event"], "ticket_received");
    assert_eq!(items[0]["attempts"], 1, "a 5xx is not retried");
    let reason = items[0]["last_error"].as_str().unwrap();
    assert!(
        reason.contains("550") && reason.contains("No such mailbox"),
        "{reason}"
    );
    // The server quoted the address; whose mailbox it was is nobody's business here.
    assert!(reason.contains("<***@kemenkeu.go.id>"), "{reason}");
    assert!(!reason.contains(REQUESTER_EMAIL), "{reason}");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("certdesk_outbox_messages{state=\"dead\"} 1"),
        "{metrics}"
    );

    // Fixed at the server; requeued through the API, it goes out.
    server.accept(REQUESTER_EMAIL);
    let requeue = items[0]["requeue"].as_str().unwrap();
    let unknown = app
        .client
        .post(app.url(&format!(
            "/api/v1/outbox/dead-letters/{}/requeue",
            uuid::Uuid::nil()
        )))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unknown).await["code"], "dead_letter_not_found");
    let response = app
        .client
        .post(app.url(requeue))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    worker.drain().await.unwrap();
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].rcpt_tos, [REQUESTER_EMAIL]);
    assert_eq!(
        app.count_where("ticket_events", "delivery = 'dead'").await,
        0
    );
}

async fn a_message_dropped_after_data_is_retried_once_with_the_same_message_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    let mut settings = worker_settings(server.port);
    settings.outbox.backoff_base_secs = 0;
    let worker = worker(&app, &settings).await;

    // Dropped once: the retry goes out with the same Message-ID, and that is the end.
    server.drop_after_data(1);
    file_received(&app, 1).await;
    drain_until_settled(&app, &worker).await;
    let messages = server.messages();
    assert_eq!(messages.len(), 2, "the server kept the dropped copy");
    assert_eq!(messages[0].message_id, messages[1].message_id);
    assert_eq!(
        app.count_where("ticket_events", "delivery = 'sent'").await,
        1
    );

    // Dropped twice: no third copy; the message waits for an operator instead.
    server.drop_after_data(2);
    file_received_as(&app, 40).await;
    drain_until_settled(&app, &worker).await;
    let messages = server.messages();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2].message_id, messages[3].message_id);
    assert_eq!(
        app.count_where("ticket_events", "delivery = 'dead'").await,
        1
    );
    assert_eq!(
        app.count_where(
            "ticket_events",
            "delivery = 'dead' AND attempts = 2 AND last_error LIKE '%not sent again%'"
        )
        .await,
        1
    );
}

/// Files one 15.2 renewal as the `n`th synthetic requester.
async fn file_received_as(app: &TestApp, n: u32) {
    let mut ticket = ticket_json_for("15.2", n);
    ticket["subtype"] = json!("renewal");
    let token = app.token(&requester_nip(n), &[Role::Requester]);
    let response = app
        .post_ticket_as(&token, form(&ticket, required_files()))
        .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
}

/// Drains until nothing is pending or in flight (retries wait out their backoff).
async fn drain_until_settled(app: &TestApp, worker: &Worker) {
    for _ in 0..100 {
        worker.drain().await.unwrap();
        if app
            .count_where("ticket_events", "delivery IN ('pending', 'sending')")
            .await
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox did not settle");
}

#[tokio::test]
async fn without_a_relay_messages_are_written_as_files() {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = WorkerSettings::default();
    settings.mail.outbox_dir = dir.path().join("outbox");
    file_received(&app, 1).await;
    let settled = worker(&app, &settings).await.drain().await.unwrap();
    assert_eq!(settled, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(eml.contains("Subject: [S"), "{eml}");
    assert!(eml.contains("Tiket diterima"));
    // Named by the event's time, ticket and id, so a listing is in the events' order;
    // dated when it was written (a retry is not dated in the past).
    let name = files[0].file_name().into_string().unwrap();
    let (at, rest) = name.split_once('-').unwrap();
    let at = chrono::NaiveDateTime::parse_from_str(at, "%Y%m%dT%H%M%S%.6fZ")
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .and_utc();
    assert!(rest.starts_with("S000") && rest.ends_with(".eml"), "{name}");
    let date = eml
        .lines()
        .find_map(|line| line.strip_prefix("Date: "))
        .expect("a Date header");
    let date = chrono::DateTime::parse_from_rfc2822(date).unwrap();
    let date = date.with_timezone(&chrono::Utc);
    assert!(
        date >= at - chrono::Duration::seconds(1)
            && date <= chrono::Utc::now() + chrono::Duration::seconds(1),
        "dated {date}, the event at {at}"
    );
}

// Several processes: the `certdesk worker` binary itself, on PostgreSQL.

/// Inserts `n` outbox events for one ticket straight into the table, as the lifecycle's
/// transactions would: a backlog large enough to kill a worker in the middle of.
async fn backlog(app: &TestApp, n: u32) {
    file_received(app, 1).await;
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at, delivery, \
                 attempts, available_at, uncertain) \
                 SELECT gen_random_uuid(), (SELECT MIN(id) FROM tickets), 'resolved', \
                 '{{\"recipient\": \"requester\", \"status\": \"resolved\"}}'::jsonb, now(), \
                 'pending', 0, now(), false FROM generate_series(1, {})",
                n - 1
            ),
        ))
        .await
        .unwrap();
}

fn spawn_worker(app: &TestApp, smtp_port: u16, lease_secs: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("worker")
        .env(
            "CERTDESK_DATABASE__URL",
            secrecy::ExposeSecret::expose_secret(&app.store_settings.database.url),
        )
        .env(
            "CERTDESK_DATABASE__SCHEMA",
            app.store_settings.database.schema.clone().unwrap(),
        )
        .env("CERTDESK_STORAGE__PATH", &app.storage)
        .env(
            "CERTDESK_ENCRYPTION__KEY_FILE",
            &app.store_settings.encryption.key_file,
        )
        .env("CERTDESK_MAIL__SMTP__HOST", "127.0.0.1")
        .env("CERTDESK_MAIL__SMTP__PORT", smtp_port.to_string())
        .env("CERTDESK_MAIL__SMTP__SECURITY", "plain")
        .env("CERTDESK_OUTBOX__LEASE_SECS", lease_secs.to_string())
        .env("CERTDESK_OUTBOX__POLL_INTERVAL_MS", "200")
        .env("CERTDESK_OUTBOX__BATCH_SIZE", "32")
        .env("CERTDESK_LOG__FILTER", "warn")
        .spawn()
        .expect("start certdesk worker")
}

fn terminate(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = child.wait().unwrap();
    assert!(exited.success(), "a stopped worker exits cleanly: {exited}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_is_replaced_and_every_message_arrives() {
    if skip_without_postgres().await {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let mut server = MailServer::start();
    backlog(&app, 600).await;
    let mut first = spawn_worker(&app, server.port, 2);
    server.wait_for(50, Duration::from_secs(60)).await;
    first.kill().unwrap(); // SIGKILL: no chance to release or record anything
    first.wait().unwrap();
    assert!(
        app.count_where("ticket_events", "delivery = 'sent'").await < 600,
        "killed before the end"
    );
    let mut second = spawn_worker(&app, server.port, 2);
    wait_until(&app, "delivery = 'sent'", 600, Duration::from_secs(90)).await;
    terminate(&mut second);

    let messages = server.messages();
    let ids: HashSet<_> = messages.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 600, "every message arrived");
    // A copy seen twice was sent by the killed worker and not recorded; it carries
    // the same Message-ID, which is what makes it recognisable.
    let events: HashSet<String> = events(&app)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert!(messages.iter().all(|m| events.contains(&event_of(m))));
    eprintln!(
        "killed worker: {} messages for 600 events ({} sent twice)",
        messages.len(),
        messages.len() - 600
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_database_deliver_1000_events_once_each() {
    if skip_without_postgres().await {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let mut server = MailServer::start();
    let mut first = spawn_worker(&app, server.port, 60);
    let mut second = spawn_worker(&app, server.port, 60);
    // Both idle and listening; the backlog arrives while they run.
    tokio::time::sleep(Duration::from_millis(500)).await;
    backlog(&app, 1000).await;
    wait_until(&app, "delivery = 'sent'", 1000, Duration::from_secs(120)).await;
    terminate(&mut first);
    terminate(&mut second);
    let messages = server.messages();
    assert_eq!(messages.len(), 1000, "each event delivered exactly once");
    let ids: HashSet<_> = messages.iter().map(|m| &m.message_id).collect();
    assert_eq!(ids.len(), 1000);
    let workers = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(DISTINCT locked_by) AS n FROM ticket_events",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(workers, 2, "both workers took part");
}
