//! Comments as emails: what RA staff or the officer write reaches the requester, what
//! the requester or the officer writes reaches the agent working the ticket, internal
//! notes reach nobody; and events queued by an older version still end well.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::*;
use crate::mail_server::{MailServer, Received};
use crate::on_both_backends;

on_both_backends!(
    comments_are_emailed_to_whom_they_concern_and_internal_ones_to_nobody,
    an_event_queued_by_an_older_version_that_no_longer_reads_back_is_skipped_with_its_reason,
    a_ticket_language_that_no_longer_reads_costs_the_language_not_the_emails,
);

async fn comments_are_emailed_to_whom_they_concern_and_internal_ones_to_nobody(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    put_agent_in_directory(&app).await;
    let p = people(&app);

    // An Indonesian requester's ticket, in an agent's hands.
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, v) = file(&app, renewal, required_files()).await;
    walk(
        &app,
        &number,
        v,
        &[(&p.agent, json!({"action": "claim"}), "in_review")],
    )
    .await;
    let typed = "Mohon unggah ulang KTP <b>yang jelas</b> & terbaca.\nTerima kasih.";
    post_comment(&app, &p.agent, &number, typed, false).await;
    post_comment(
        &app,
        &p.agent,
        &number,
        "Catatan internal: cek NIK di AMS.",
        true,
    )
    .await;
    post_comment(
        &app,
        &p.requester,
        &number,
        "Sudah saya unggah ulang.",
        false,
    )
    .await;
    post_comment(
        &app,
        &p.officer,
        &number,
        "Saya konfirmasi pemohon pegawai unit kami.",
        false,
    )
    .await;

    // An English requester's ticket: the desk writes to them in English.
    let english_number = file_passphrase_reset_in_english(&app, 8, "en").await;
    walk(
        &app,
        &english_number,
        1,
        &[(&p.agent, json!({"action": "claim"}), "in_review")],
    )
    .await;
    post_comment(
        &app,
        &p.agent,
        &english_number,
        "Please upload a sharper scan.",
        false,
    )
    .await;

    let settled = worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    let rows = events(&app).await;
    assert_eq!(settled as usize, rows.len());
    assert!(
        rows.iter().all(|(_, _, delivery)| delivery == "sent"),
        "nothing skipped: {rows:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|(_, kind, _)| kind == "comment_added")
            .count(),
        5,
        "the desk's two comments to their requesters, the requester's to the agent, the \
         officer's to both; the internal one to nobody"
    );
    let messages = server.wait_for(rows.len(), Duration::from_secs(10)).await;
    let comment_to = |address: &str, subject_end: &str| -> Received {
        messages
            .iter()
            .find(|m| m.rcpt_tos == [address.to_owned()] && m.subject.ends_with(subject_end))
            .unwrap_or_else(|| panic!("no {subject_end:?} to {address}"))
            .clone()
    };

    // The officer's comment reaches the requester under the same subject; the two may
    // arrive in either order.
    let to_requester = messages
        .iter()
        .find(|m| {
            m.rcpt_tos == [REQUESTER_EMAIL.to_owned()]
                && m.subject.ends_with("] Komentar baru pada tiket Anda")
                && m.text.as_deref().unwrap_or_default().contains("yang jelas")
        })
        .expect("the agent's comment to the requester")
        .clone();
    assert_eq!(to_requester.content_language.as_deref(), Some("id"));
    // Mail carries CRLF line ends; the comment's own line break is one of them.
    let text = to_requester.text.as_deref().unwrap().replace("\r\n", "\n");
    assert!(
        text.contains(typed),
        "shown as typed in the text part: {text}"
    );
    let html = to_requester.html.as_deref().unwrap();
    assert!(
        html.contains("&lt;b&gt;yang jelas&lt;&#x2f;b&gt; &amp; terbaca."),
        "escaped in the HTML part: {html}"
    );
    assert!(!html.contains("<b>yang jelas"));

    let to_english = comment_to(
        "andi.contoh8@kemenkeu.go.id",
        "] New comment on your ticket",
    );
    assert_eq!(to_english.content_language.as_deref(), Some("en"));
    assert!(
        to_english
            .text
            .as_deref()
            .unwrap()
            .contains("Please upload a sharper scan.")
    );

    let to_agent = comment_to(AGENT_EMAIL, "] Komentar pemohon");
    assert!(
        to_agent
            .text
            .as_deref()
            .unwrap()
            .contains("Sudah saya unggah ulang.")
    );
    let officers_to_agent = comment_to(AGENT_EMAIL, "] Komentar pejabat penanggung jawab");
    assert!(
        officers_to_agent
            .text
            .as_deref()
            .unwrap()
            .contains("Saya konfirmasi pemohon pegawai unit kami.")
    );
    assert!(
        messages
            .iter()
            .any(|m| m.rcpt_tos == [REQUESTER_EMAIL.to_owned()]
                && m.text
                    .as_deref()
                    .unwrap_or_default()
                    .contains("Pejabat penanggung jawab menulis")),
        "the officer's comment reaches the requester too"
    );
    for message in &messages {
        let text = message.text.as_deref().unwrap_or_default();
        assert!(
            !text.contains("Catatan internal"),
            "internal comments email nobody"
        );
    }
}

/// Before comments were emailed, a staff comment queued a `comment_added` row without
/// the comment's text. A worker of this version cannot write that email: it records the
/// row as skipped, with the reason, instead of failing its batch or retrying forever.
async fn an_event_queued_by_an_older_version_that_no_longer_reads_back_is_skipped_with_its_reason(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, _) = file(&app, renewal, required_files()).await;
    let ticket_id: i64 = number[1..].parse().unwrap();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            "INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at, delivery, attempts, available_at, uncertain) \
             VALUES ($1, $2, 'comment_added', $3, $4, 'pending', 0, $4, false)",
            [
                uuid::Uuid::now_v7().into(),
                ticket_id.into(),
                json!({"recipient": "requester", "recipient_nip": REQUESTER_NIP, "status": "submitted", "reason": null}).into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .unwrap();
    let settled = worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    assert_eq!(settled, 2, "the old row and the new ticket's own event");
    let rows = events(&app).await;
    let old = rows
        .iter()
        .find(|(_, kind, _)| kind == "comment_added")
        .unwrap();
    assert_eq!(old.2, "skipped");
    assert_eq!(
        app.count_where(
            "ticket_events",
            "kind = 'comment_added' AND last_error LIKE '%does not read back%'"
        )
        .await,
        1
    );
    assert_eq!(
        server.wait_for(1, Duration::from_secs(10)).await.len(),
        1,
        "the rest went out"
    );
}

/// A requester's language this version does not know (written by a newer one, or by
/// hand) sends their emails in the desk's language: every email of the ticket still
/// goes out, the officer's and the agent's too.
async fn a_ticket_language_that_no_longer_reads_costs_the_language_not_the_emails(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut server = MailServer::start();
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, _) = file(&app, renewal, required_files()).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE tickets SET language = 'tlh' WHERE id = {}",
            &number[1..].parse::<i64>().unwrap()
        ))
        .await
        .unwrap();
    let settled = worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    assert!(settled >= 1);
    let settled = usize::try_from(settled).unwrap();
    let rows = events(&app).await;
    assert!(
        rows.iter().all(|(_, _, delivery)| delivery == "sent"),
        "{rows:?}"
    );
    assert_eq!(
        server
            .wait_for(settled, Duration::from_secs(10))
            .await
            .len(),
        settled
    );
}
