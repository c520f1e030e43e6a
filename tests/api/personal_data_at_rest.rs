//! Where a NIK rests. Until it is encrypted (issue 13 goes on), it is held in exactly one
//! place, the ticket's own column, and nowhere else: not in the history, the outbox's
//! payloads, the remembered idempotent responses or the audit. Every table of the
//! database is read to check, so a new table that copies it fails this test.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_nik_rests_in_the_tickets_own_column_and_nowhere_else);

async fn tables_holding(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    let backend = app.db.get_database_backend();
    let query = |sql: String| Statement::from_string(backend, sql);
    let tables: Vec<String> = match backend {
        sea_orm::DatabaseBackend::Postgres => app
            .db
            .query_all_raw(query(
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                    .into(),
            ))
            .await
            .unwrap(),
        _ => app
            .db
            .query_all_raw(query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    .into(),
            ))
            .await
            .unwrap(),
    }
    .into_iter()
    .map(|row| row.try_get::<String>("", "name").unwrap())
    .collect();
    assert!(tables.len() > 10, "{tables:?}");
    let mut holding = Vec::new();
    for table in tables {
        let condition = match backend {
            // A whole row as text: every column, whatever its type.
            sea_orm::DatabaseBackend::Postgres => format!("x::text LIKE '%{needle}%'"),
            _ => {
                let columns: Vec<String> = app
                    .db
                    .query_all_raw(query(format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    )))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|row| row.try_get::<String>("", "name").unwrap())
                    .collect();
                columns
                    .iter()
                    .map(|column| format!("CAST(x.\"{column}\" AS TEXT) LIKE '%{needle}%'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            }
        };
        let row = app
            .db
            .query_one_raw(query(format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" x WHERE {condition}"
            )))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get("", "n").unwrap();
        if count > 0 {
            holding.push((table, count));
        }
    }
    holding
}

async fn a_nik_rests_in_the_tickets_own_column_and_nowhere_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = crate::mail_server::MailServer::start();
    put_agent_in_directory(&app).await;
    let p = people(&app);

    // A filing with an idempotency key (its response is remembered), a refused one that
    // quotes the NIK in free text, a walk with reasons and comments, staff reading the
    // ticket (an audit row), a download, and the emails sent.
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.requester_token())
        .header("Idempotency-Key", "a7c1e2d4-0000-4000-8000-000000000001")
        .multipart(form(&ticket_json("15.1"), all_files()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let number = response.json::<serde_json::Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut quoting = ticket_json("15.1");
    quoting["description"] = json!(format!("NIK saya {REQUESTER_NIK}\u{0000}"));
    assert_eq!(
        app.post_ticket(form(&quoting, all_files())).await.status(),
        422
    );
    let officer = app.token(OFFICER_NIP, &[Role::Officer]);
    let v = walk(
        &app,
        &number,
        1,
        &[(&officer, json!({"action": "endorse"}), "submitted")],
    )
    .await;
    walk(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": "Mohon cek NIK pada KTP."}),
                "awaiting_requester",
            ),
        ],
    )
    .await;
    assert_eq!(
        app.get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(
            &p.agent,
            &format!("/api/v1/tickets/{number}/attachments/ktp_scan")
        )
        .await
        .status(),
        200
    );
    worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    assert!(server.count() > 0, "emails were sent");

    let holding = tables_holding(&app, REQUESTER_NIK).await;
    assert_eq!(holding, [("tickets".to_owned(), 1)]);
    // Staff saw it four times (the two actions' answers, the read, and the scan), and the
    // audit says so without repeating it.
    assert_eq!(app.count("audit_log").await, 4);
}
