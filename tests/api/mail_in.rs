//! Replies by email through `certdesk mail receive` (the real binary, the message on its
//! standard input as an MTA's pipe transport gives it), with message files in several
//! clients' shapes (`tests/fixtures/mail/`): a requester's answer moves the ticket back
//! to the agent, other replies become public comments, and automatic mail, strangers,
//! secrets and unknown tickets are refused with nothing stored; the exit codes are the
//! MTA's.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::mail_server::MailServer;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    replies_by_email_land_on_their_ticket_and_nothing_else_does,
    a_person_is_told_why_in_their_language_a_machine_never
);

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
    let number = awaiting_requester(&app, &p, "Pindaian KTP buram.").await;

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
    // The last transition (the clocks it resumed follow it).
    let answer = entries
        .iter()
        .rev()
        .find(|h| h["kind"] == "transition")
        .unwrap();
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

async fn a_person_is_told_why_in_their_language_a_machine_never(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    put_agent_in_directory(&app).await;
    let number = awaiting_requester(&app, &p, "Surat rekomendasi belum ditandatangani.").await;
    let auto_replies = || app.count_where("ticket_events", "kind = 'auto_reply'");

    // Machines are never answered.
    for (name, from) in [
        ("out_of_office", REQUESTER_EMAIL),
        ("bounce", "mailer-daemon@mail.example.go.id"),
    ] {
        assert_eq!(deliver(&app, &message(name, &number, from)).0, 0);
    }
    assert_eq!(auto_replies().await, 0, "no answer to automatic mail");

    // The requester's secret is refused and they are told why; their answer with a file
    // is taken, and they are told the file was not.
    assert_eq!(
        deliver(&app, &message("secret", &number, REQUESTER_EMAIL)).0,
        0
    );
    assert_eq!(
        deliver(&app, &message("with_attachment", &number, REQUESTER_EMAIL)).0,
        0
    );
    let ticket: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["status"], "in_review", "the text was the answer");
    assert_eq!(auto_replies().await, 2);

    // A stranger writing in English, five times in an hour: answered three times.
    let stranger = "budi.lain@kemenkeu.go.id";
    for _ in 0..5 {
        assert_eq!(
            deliver(&app, &message("stranger_english", &number, stranger)).0,
            0
        );
    }
    assert_eq!(
        auto_replies().await,
        5,
        "two to the requester, three to the stranger"
    );

    // No ticket: the MTA bounces it, with the reason in both languages.
    let output = certdesk_with_input(
        &app,
        &["mail", "receive"],
        &message("no_ticket", &number, REQUESTER_EMAIL),
    );
    assert_eq!(output.status.code(), Some(67));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("Tidak ada tiket") && said.contains("No ticket"),
        "{said}"
    );

    // What they receive.
    let mut server = MailServer::start();
    worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    let sent = server
        .wait_for(events(&app).await.len(), Duration::from_secs(10))
        .await;
    let answers: Vec<_> = sent
        .iter()
        .filter(|m| m.auto_submitted.as_deref() == Some("auto-replied"))
        .collect();
    assert_eq!(answers.len(), 5, "{sent:#?}");
    let to_requester: Vec<_> = answers
        .iter()
        .filter(|m| m.rcpt_tos == [REQUESTER_EMAIL.to_owned()])
        .map(|m| m.text.clone().unwrap_or_default())
        .collect();
    assert_eq!(to_requester.len(), 2);
    assert!(
        to_requester.iter().any(|t| t.contains("passphrase")
            && t.contains("tidak dicatat")
            && !t.contains("Rahasia")),
        "the secret's rule, in Indonesian, without the secret: {to_requester:#?}"
    );
    assert!(
        to_requester
            .iter()
            .any(|t| t.contains("lampirannya tidak") && t.contains("portal")),
        "{to_requester:#?}"
    );
    let to_stranger: Vec<_> = answers
        .iter()
        .filter(|m| m.rcpt_tos == [stranger.to_owned()])
        .collect();
    assert_eq!(to_stranger.len(), 3);
    for answer in to_stranger {
        assert_eq!(answer.content_language.as_deref(), Some("en"));
        assert!(answer.subject.contains(&number), "{}", answer.subject);
        let text = answer.text.clone().unwrap_or_default();
        assert!(text.contains("came from neither"), "{text}");
        assert!(
            !text.contains("Andi") && !text.contains("15.1"),
            "nothing of the ticket to a stranger: {text}"
        );
    }
}
