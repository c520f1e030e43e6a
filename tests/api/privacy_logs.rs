//! Personal data never reaches a log line or the dead-letter list: a ticket's whole life,
//! with the failures a desk meets, run against the real `certdesk serve` (and its
//! in-process mail worker) talking to a real SMTP server that bounces one recipient and
//! quotes the address in its reply, as real servers do.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;
use crate::mail_server::MailServer;
use crate::on_both_backends;

on_both_backends!(a_tickets_whole_life_with_its_failures_leaves_no_personal_data_in_the_log);

async fn a_tickets_whole_life_with_its_failures_leaves_no_personal_data_in_the_log(
    backend: Backend,
) {
    let mut mail = MailServer::start();
    mail.reject(REQUESTER_EMAIL);
    let port = mail.port.to_string();
    let (app, server) = spawn_binary(
        backend,
        &[
            ("CERTDESK_OUTBOX__IN_PROCESS", "true"),
            ("CERTDESK_MAIL__SMTP__HOST", "127.0.0.1"),
            ("CERTDESK_MAIL__SMTP__PORT", &port),
            ("CERTDESK_MAIL__SMTP__SECURITY", "plain"),
            ("CERTDESK_MAIL__SMTP__TIMEOUT_SECS", "5"),
            ("CERTDESK_OUTBOX__POLL_INTERVAL_MS", "100"),
            ("CERTDESK_OUTBOX__BACKOFF_BASE_SECS", "1"),
            ("CERTDESK_OUTBOX__BACKOFF_MAX_SECS", "1"),
            (
                "CERTDESK_LOG__FILTER",
                "debug,sqlx=info,sea_orm=info,h2=info,hyper=info",
            ),
        ],
    )
    .await;
    put_agent_in_directory(&app).await;
    let p = people(&app);

    // A filing refused for several reasons at once, a secret among them.
    let mut refused = ticket_json("15.1");
    refused["requester"]["email"] = json!("andi-contoh@kemenkeu.go.id");
    refused["description"] = json!("PIN saya 123456, NIK 3174051705900001");
    let response = app.post_ticket(form(&refused, all_files())).await;
    assert_eq!(response.status(), 422);

    // A renewal through its whole life, with a comment each way.
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;
    walk(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": "Pindaian KTP buram."}),
                "awaiting_requester",
            ),
            (
                &p.requester,
                json!({"action": "reply", "reason": "Sudah saya unggah ulang."}),
                "in_review",
            ),
        ],
    )
    .await;
    for (token, body) in [
        (&p.agent, "Mohon cek email dinas Anda."),
        (&p.requester, "Baik, terima kasih."),
    ] {
        post_comment(&app, token, &number, body, false).await;
    }
    let current: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    walk(
        &app,
        &number,
        current["version"].as_i64().unwrap(),
        &[
            (&p.agent, json!({"action": "resolve"}), "resolved"),
            (&p.agent, json!({"action": "close"}), "closed"),
        ],
    )
    .await;
    // A look at someone else's attachment, and a download of one's own.
    let stranger = app.token(
        &requester_nip(7),
        &[certdesk_domain::lifecycle::Role::Requester],
    );
    let denied = app
        .get_as(
            &stranger,
            &format!("/api/v1/tickets/{number}/attachments/ktp_scan"),
        )
        .await;
    assert_eq!(denied.status(), 404);
    let own = app
        .get(&format!("/api/v1/tickets/{number}/attachments/ktp_scan"))
        .await;
    assert_eq!(own.status(), 200);

    // A month on, the retention pass purges the scans: a download is then refused (410).
    {
        use sea_orm::ConnectionTrait;
        let month_ago = chrono::Utc::now() - chrono::Duration::days(31);
        app.db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                app.db.get_database_backend(),
                "UPDATE tickets SET ended_at = $1 WHERE ended_at IS NOT NULL",
                [month_ago.into()],
            ))
            .await
            .unwrap();
    }
    let pass = certdesk_cli(&app, &["retention", "run"]);
    assert!(pass.status.success());
    let pass_said = format!(
        "{}{}",
        String::from_utf8_lossy(&pass.stdout),
        String::from_utf8_lossy(&pass.stderr)
    );
    assert!(!pass_said.contains(REQUESTER_NIK), "{pass_said}");
    let purged = app
        .get(&format!("/api/v1/tickets/{number}/attachments/ktp_scan"))
        .await;
    assert_eq!(purged.status(), 410);

    // The worker settles everything: the requester's mail bounces (550, quoting the
    // address), the agent's and the officer's arrive.
    let mut settled = false;
    for _ in 0..100 {
        let rows = events(&app).await;
        if !rows.is_empty()
            && rows
                .iter()
                .all(|(_, _, delivery)| ["sent", "dead", "skipped"].contains(&delivery.as_str()))
        {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        settled,
        "the outbox did not settle: {:?}",
        events(&app).await
    );
    let rows = events(&app).await;
    assert!(rows.iter().any(|(_, _, d)| d == "dead"), "{rows:?}");
    assert!(rows.iter().any(|(_, _, d)| d == "sent"), "{rows:?}");
    let supervisor = app.token(
        SUPERVISOR_NIP,
        &[certdesk_domain::lifecycle::Role::Supervisor],
    );
    let dead: Value = app
        .get_as(&supervisor, "/api/v1/outbox/dead-letters")
        .await
        .json()
        .await
        .unwrap();
    let dead = dead.to_string();
    assert!(dead.contains("550"), "{dead}");
    assert!(dead.contains("***@kemenkeu.go.id"), "{dead}");

    let log = server.stop();
    assert!(log.lines().count() > 20, "{log}");
    let local_parts = [REQUESTER_EMAIL, AGENT_EMAIL, OFFICER_EMAIL, "andi-contoh@"]
        .map(|address| address.split('@').next().unwrap().to_owned());
    for (what, needle) in [
        ("the NIK", REQUESTER_NIK.to_owned()),
        ("the NIK", "3174051705900001".to_owned()),
        ("the PIN", "123456".to_owned()),
    ]
    .into_iter()
    .chain(local_parts.map(|local| ("an email's local part", format!("{local}@"))))
    {
        assert!(!log.contains(&needle), "{what} ({needle}) is in the log");
        assert!(
            !dead.contains(&needle),
            "{what} ({needle}) is in a dead letter"
        );
    }
    for trace in ["panicked", "stack backtrace"] {
        assert!(!log.contains(trace), "{trace:?} in the log");
    }
}
