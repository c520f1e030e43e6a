//! Replies by email through `certdesk mail receive` (the real binary, the message on its
//! standard input as an MTA's pipe transport gives it), with message files in several
//! clients' shapes (`tests/fixtures/mail/`): a requester's answer moves the ticket back
//! to the agent, other replies become public comments, and automatic mail, strangers,
//! secrets and unknown tickets are refused with nothing stored; the exit codes are the
//! MTA's.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(replies_by_email_land_on_their_ticket_and_nothing_else_does);

const REQUESTER_EMAIL: &str = "andi.contoh@kemenkeu.go.id";

fn message(name: &str, number: &str, from: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/mail/{name}.eml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .replace("{NUMBER}", number)
        .replace("{FROM}", from)
        .into_bytes()
}

/// Delivers a message; returns the exit code and what the command logged.
fn deliver(app: &TestApp, raw: &[u8]) -> (i32, String) {
    let output = certdesk_with_input(app, &["mail", "receive"], raw);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn history(app: &TestApp, token: &str, number: &str) -> Vec<Value> {
    app.get_as(token, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

async fn replies_by_email_land_on_their_ticket_and_nothing_else_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    put_agent_in_directory(&app).await;
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
        ],
    )
    .await;

    // Gmail, quoted-printable, an em dash, the sender's address in another case: the
    // requester's answer, without the quoted message.
    let (code, log) = deliver(
        &app,
        &message("gmail_reply", &number, "Andi.Contoh@KEMENKEU.go.id"),
    );
    assert_eq!(code, 0, "{log}");
    let ticket: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ticket["status"], "in_review",
        "the answer went back to the agent"
    );
    let entries = history(&app, &p.agent, &number).await;
    let answer = entries.last().unwrap();
    assert_eq!(answer["detail"]["action"], "reply");
    assert_eq!(
        answer["reason"],
        "Sudah saya unggah ulang pindaian KTP \u{2014} terima kasih, Bu."
    );

    // Outlook, HTML only, base64: a public comment by the requester.
    let (code, log) = deliver(
        &app,
        &message("outlook_html_only", &number, REQUESTER_EMAIL),
    );
    assert_eq!(code, 0, "{log}");
    // A forward with a note above it; then the agent's reply in a long thread, signed.
    assert_eq!(
        deliver(&app, &message("forwarded", &number, REQUESTER_EMAIL)).0,
        0
    );
    assert_eq!(
        deliver(&app, &message("long_thread", &number, AGENT_EMAIL)).0,
        0
    );
    let comments: Vec<(String, String)> = history(&app, &p.agent, &number)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "comment")
        .map(|e| {
            (
                e["actor_role"].as_str().unwrap().to_owned(),
                e["detail"]["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        comments,
        [
            (
                "requester".to_owned(),
                "Profil dan swafoto sudah saya lengkapi sendiri di portal.\nSalam,\nAndi"
                    .to_owned()
            ),
            (
                "requester".to_owned(),
                "Mohon dicek, tautan dari BSrE belum saya terima sampai sekarang.".to_owned()
            ),
            (
                "agent".to_owned(),
                "Tautan baru sudah dikirim ulang dari portal BSrE, berlaku 24 jam.".to_owned()
            ),
        ]
    );

    // Refused, nothing stored: automatic mail, a stranger, a secret.
    let stored = app.count("ticket_history").await;
    for (name, from) in [
        ("out_of_office", REQUESTER_EMAIL),
        ("bounce", "mailer-daemon@mail.example.go.id"),
        ("gmail_reply", "orang.lain@kemenkeu.go.id"),
        ("secret", REQUESTER_EMAIL),
    ] {
        let (code, log) = deliver(&app, &message(name, &number, from));
        assert_eq!(code, 0, "{name}: {log}");
        assert!(!log.contains("Rahasia"), "{name}: {log}");
        assert!(!log.contains("andi.contoh"), "{name}: {log}");
    }
    assert_eq!(app.count("ticket_history").await, stored, "nothing stored");

    // No ticket named, or a ticket this desk does not have: the MTA bounces it.
    assert_eq!(
        deliver(&app, &message("no_ticket", &number, REQUESTER_EMAIL)).0,
        67
    );
    assert_eq!(
        deliver(
            &app,
            &message("gmail_reply", "S99999999999", REQUESTER_EMAIL)
        )
        .0,
        67
    );

    // The database down: the MTA keeps the message and tries again.
    let output = run_with_input(
        certdesk_command(&app, &["mail", "receive"]).env(
            "CERTDESK_DATABASE__URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
        &message("gmail_reply", &number, REQUESTER_EMAIL),
    );
    assert_eq!(output.status.code(), Some(75));

    // A closed ticket takes no more replies.
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE tickets SET status = 'closed'",
        ))
        .await
        .unwrap();
    let stored = app.count("ticket_history").await;
    assert_eq!(
        deliver(&app, &message("forwarded", &number, REQUESTER_EMAIL)).0,
        0
    );
    assert_eq!(app.count("ticket_history").await, stored);
}
