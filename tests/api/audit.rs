//! Every look at personal data is recorded, refused ones too; supervisors read the
//! record; the database itself refuses to change or delete it.

use sea_orm::ConnectionTrait;
use serde_json::Value;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    downloads_refusals_and_nik_views_are_recorded_and_supervisors_read_them,
    the_audit_and_the_history_cannot_be_changed_or_deleted,
);

async fn downloads_refusals_and_nik_views_are_recorded_and_supervisors_read_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let (number, _) = file(&app, ticket_json("15.1"), all_files()).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let stranger = app.token(&requester_nip(9), &[Role::Requester]);
    let scan = format!("/api/v1/tickets/{number}/attachments/ktp_scan");

    // The requester downloads their scan; a stranger tries; someone guesses a number.
    let own = app
        .client
        .get(app.url(&scan))
        .bearer_auth(app.requester_token())
        .header("X-Request-Id", "portal-download-1")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(app.get_as(&stranger, &scan).await.status(), 404);
    assert_eq!(
        app.get_as(
            &stranger,
            "/api/v1/tickets/S00000000999/attachments/signature_scan"
        )
        .await
        .status(),
        404
    );
    // The agent reads the ticket (the NIK in full) and downloads the letter; the
    // requester reading their own ticket is no look at someone else's data.
    assert_eq!(
        app.get_as(&agent, &format!("/api/v1/tickets/{number}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(
            &agent,
            &format!("/api/v1/tickets/{number}/attachments/recommendation_letter")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{number}")).await.status(),
        200
    );

    // Only supervisors read the audit.
    assert_eq!(app.get_as(&agent, "/api/v1/audit").await.status(), 403);
    let page: Value = app
        .get_as(&supervisor, "/api/v1/audit")
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let seen: Vec<(&str, &str, Option<&str>, Option<&str>)> = items
        .iter()
        .map(|item| {
            (
                item["kind"].as_str().unwrap(),
                item["actor"].as_str().unwrap(),
                item["ticket"].as_str(),
                item["detail"].as_str(),
            )
        })
        .collect();
    let stranger_nip = requester_nip(9);
    assert_eq!(
        seen,
        [
            (
                "attachment_downloaded",
                REQUESTER_NIP,
                Some(number.as_str()),
                Some("ktp_scan")
            ),
            (
                "attachment_refused",
                stranger_nip.as_str(),
                Some(number.as_str()),
                Some("ktp_scan")
            ),
            (
                "attachment_refused",
                stranger_nip.as_str(),
                Some("S00000000999"),
                Some("signature_scan")
            ),
            ("nik_shown", AGENT_NIP, Some(number.as_str()), None),
            (
                "attachment_downloaded",
                AGENT_NIP,
                Some(number.as_str()),
                Some("recommendation_letter")
            ),
        ]
    );
    assert_eq!(items[0]["capacity"], "viewer", "not staff");
    assert_eq!(items[0]["client_ip"], "127.0.0.1");
    assert_eq!(items[0]["request_id"], "portal-download-1");
    assert_eq!(items[3]["capacity"], "agent");
    assert!(page["next"].is_null());
    assert!(
        !page.to_string().contains(REQUESTER_NIK),
        "the audit names no NIK"
    );

    // Filters: by ticket, by actor, by period.
    let by_actor: Value = app
        .get_as(&supervisor, &format!("/api/v1/audit?actor={AGENT_NIP}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 2);
    let by_ticket: Value = app
        .get_as(&supervisor, "/api/v1/audit?ticket=S00000000999")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_ticket["items"].as_array().unwrap().len(), 1);
    let later: Value = app
        .get_as(&supervisor, "/api/v1/audit?from=2100-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later["items"].as_array().unwrap().len(), 0);
    for (query, field) in [
        ("ticket=3174051705900001", "ticket"),
        ("actor=someone", "actor"),
        ("cursor=abc", "cursor"),
    ] {
        let response = app
            .get_as(&supervisor, &format!("/api/v1/audit?{query}"))
            .await;
        assert_eq!(response.status(), 422, "{query}");
        let body = problem(response).await;
        assert_eq!(errors(&body)[0].0, field, "{query}: {body}");
    }

    // Pages of 50, oldest first, following `next`.
    for _ in 0..50 {
        app.get_as(&agent, &format!("/api/v1/tickets/{number}"))
            .await;
    }
    let first: Value = app
        .get_as(&supervisor, "/api/v1/audit")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().unwrap();
    let second: Value = app.get_as(&supervisor, next).await.json().await.unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert!(second["next"].is_null());
}

async fn the_audit_and_the_history_cannot_be_changed_or_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (number, _) = file(&app, ticket_json("15.1"), all_files()).await;
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    app.get_as(&agent, &format!("/api/v1/tickets/{number}"))
        .await;
    assert_eq!(app.count("audit_log").await, 1);
    let history = app.count("ticket_history").await;
    assert!(history > 0);

    let mut attempts = vec![
        "UPDATE audit_log SET actor = '197001011995031003'",
        "DELETE FROM audit_log",
        "UPDATE ticket_history SET reason = 'changed'",
        "DELETE FROM ticket_history",
        "DELETE FROM tickets",
    ];
    if matches!(backend, Backend::Postgres) {
        attempts.push("TRUNCATE audit_log");
        attempts.push("TRUNCATE ticket_history CASCADE");
    }
    for statement in attempts {
        let refused = app.db.execute_unprepared(statement).await;
        let error = refused.expect_err(statement).to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(app.count("audit_log").await, 1);
    assert_eq!(app.count("ticket_history").await, history);
}
