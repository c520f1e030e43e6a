//! Retention: once a ticket has ended, its scans and screenshots go after
//! `retention.scan_days`, its letter after `retention.letter_days`, and its NIK after
//! `retention.nik_days`, by `certdesk retention run` or the worker's pass. What was
//! purged stays described; downloading it answers 410.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(files_and_the_nik_of_an_ended_ticket_go_when_their_time_is_up);

/// Moves the ticket's end `days` into the past, as if that much time had gone by.
async fn ended_days_ago(app: &TestApp, number: &str, days: i64) {
    let sequence: i64 = number[1..].parse().unwrap();
    let backend = app.db.get_database_backend();
    let at = chrono::Utc::now() - chrono::Duration::days(days) - chrono::Duration::minutes(1);
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE tickets SET ended_at = $1 WHERE id = $2",
            [at.into(), sequence.into()],
        ))
        .await
        .unwrap();
}

fn run_retention(app: &TestApp) -> String {
    let output = certdesk_cli(app, &["retention", "run"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn files_and_the_nik_of_an_ended_ticket_go_when_their_time_is_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let staff = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    let other = app.token(&requester_nip(2), &[Role::Requester]);
    let open = app
        .post_ticket_as(&other, form(&ticket_json_for("15.1", 2), all_files()))
        .await;
    assert_eq!(open.status(), 201);
    // An open ticket's files are never due, however old: only the first one ends.
    step(
        &app,
        &p.requester,
        &number,
        v,
        json!({"action": "cancel"}),
        "cancelled",
    )
    .await;
    assert_eq!(app.count_where("tickets", "ended_at IS NOT NULL").await, 1);
    assert_eq!(run_retention(&app), "purged 0 files and erased 0 NIKs\n");

    ended_days_ago(&app, &number, 31).await;
    assert_eq!(run_retention(&app), "purged 4 files and erased 0 NIKs\n");
    assert_eq!(
        app.stored_files(),
        6,
        "the letter and the open ticket's five"
    );

    let ticket: Value = app
        .get_as(&staff, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    for attachment in ticket["attachments"].as_array().unwrap() {
        let letter = attachment["kind"] == "recommendation_letter";
        assert_eq!(attachment["purged_at"].is_null(), letter, "{attachment}");
        assert_eq!(attachment["sha256"].is_null(), !letter, "{attachment}");
        assert!(
            attachment["byte_size"].as_u64().unwrap() > 0,
            "the size stays"
        );
    }
    assert_eq!(ticket["attachments"][0]["kind"], "ktp_scan");
    assert_eq!(
        ticket["attachments"][0]["width"], 448,
        "the dimensions stay"
    );
    assert_eq!(
        ticket["requester"]["nik"], REQUESTER_NIK,
        "the NIK is kept longer"
    );

    let gone = app
        .get_as(
            &staff,
            &format!("/api/v1/tickets/{number}/attachments/ktp_scan"),
        )
        .await;
    assert_eq!(gone.status(), 410);
    let body = problem(gone).await;
    assert_eq!(body["code"], "attachment_purged");
    assert!(body["message"]["id"].as_str().unwrap().contains("retensi"));
    let kept = app
        .get_as(
            &staff,
            &format!("/api/v1/tickets/{number}/attachments/recommendation_letter"),
        )
        .await;
    assert_eq!(kept.status(), 200);

    // A year on, the worker's own pass takes the letter and erases the NIK.
    ended_days_ago(&app, &number, 366).await;
    let report = worker(&app, &worker_settings(1))
        .await
        .retention_pass()
        .await
        .unwrap();
    assert_eq!((report.files, report.niks), (1, 1));
    assert_eq!(
        app.stored_files(),
        5,
        "the open ticket's files are all still there"
    );
    let ticket: Value = app
        .get_as(&staff, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ticket["requester"]["nik"], "3174********0001",
        "only the masked form remains, even for staff"
    );
    assert_eq!(
        app.count_where("tickets", "nik_sealed IS NULL AND nik_index IS NOT NULL")
            .await,
        1
    );

    let history: Value = app
        .get(&format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let by_desk: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["actor"] == "desk")
        .map(|entry| {
            assert_eq!(entry["actor_role"], "desk");
            (
                entry["kind"].as_str().unwrap().to_owned(),
                entry["detail"]["attachment"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(by_desk.len(), 6, "{by_desk:?}");
    assert_eq!(by_desk.last().unwrap().0, "nik_erased");
    assert!(by_desk.contains(&("attachment_purged".into(), "ktp_scan".into())));

    // A second pass finds nothing left to do.
    assert_eq!(run_retention(&app), "purged 0 files and erased 0 NIKs\n");
}
