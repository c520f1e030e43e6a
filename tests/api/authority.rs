//! The certificate authority's side of a ticket: the agent's findings as data on the
//! ticket and in the queues, the link the requester must act on and its deadline, and
//! fields an action does not take refused rather than dropped.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_finding_is_kept_on_the_ticket_in_the_history_and_in_the_queues,
    a_link_waits_for_the_requester_until_they_say_it_is_done,
    an_expired_link_is_flagged_in_the_queue,
    fields_an_action_does_not_take_are_refused_not_dropped,
);

/// A 15.1 ticket, endorsed and claimed by the agent: its number and version.
async fn claimed_issuance(app: &TestApp, p: &People) -> (String, i64) {
    let (number, v) = file(app, ticket_json("15.1"), all_files()).await;
    let v = walk(
        app,
        &number,
        v,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
        ],
    )
    .await;
    (number, v)
}

async fn ticket(app: &TestApp, token: &str, number: &str) -> Value {
    let response = app
        .get_as(token, &format!("/api/v1/tickets/{number}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn queue_numbers(app: &TestApp, token: &str, queue: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(token, &format!("/api/v1/queues/{queue}/tickets?{query}"))
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn a_finding_is_kept_on_the_ticket_in_the_history_and_in_the_queues(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = claimed_issuance(&app, &p).await;
    let v = step(
        &app,
        &p.agent,
        &number,
        v,
        json!({
            "action": "record_authority_status",
            "certificate_status": "new",
            "profile": "verified",
            "valid_until": "2028-12-01",
            "enrolment_locked": false,
            "note": "KTP cocok dengan NIK; profil diverifikasi."
        }),
        "in_review",
    )
    .await;
    let seen = ticket(&app, &p.agent, &number).await;
    let found = &seen["authority_status"];
    assert_eq!(found["certificate_status"], "New");
    assert_eq!(found["profile"], "verified");
    assert_eq!(found["valid_until"], "2028-12-01");
    assert_eq!(found["enrolment_locked"], false);
    assert_eq!(found["note"], "KTP cocok dengan NIK; profil diverifikasi.");
    assert_eq!(found["recorded_by"], AGENT_NIP);
    assert!(found["recorded_at"].is_string());
    assert_eq!(
        seen["certificate_status"],
        Value::Null,
        "what the requester claimed at filing is kept apart"
    );
    assert_eq!(
        ticket(&app, &p.requester, &number).await["authority_status"]["certificate_status"],
        "New",
        "the requester sees what the desk found"
    );

    let queue = seen["queue"].as_str().unwrap().to_owned();
    let listed = queue_numbers(&app, &p.agent, &queue, "authority_status=new").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["number"], number.as_str());
    assert_eq!(listed[0]["authority_status"], "New");
    for none in [
        "authority_status=on_set_passphrase",
        "authority_status=Issue",
    ] {
        assert!(queue_numbers(&app, &p.agent, &queue, none).await.is_empty());
    }
    let refused = app
        .get_as(
            &p.agent,
            &format!("/api/v1/queues/{queue}/tickets?authority_status=On%20Hold"),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        errors(&problem(refused).await),
        [(
            "authority_status".into(),
            "certificate_status_unknown".into()
        )]
    );

    // Resolving records the last finding too; the requester's claim is untouched.
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "resolve", "certificate_status": "Issue", "valid_until": "2028-12-01"}),
        "resolved",
    )
    .await;
    let resolved = ticket(&app, &p.agent, &number).await;
    assert_eq!(resolved["authority_status"]["certificate_status"], "Issue");
    assert_eq!(
        resolved["authority_status"]["note"],
        Value::Null,
        "each finding stands alone"
    );

    let history: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    let findings: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["detail"]["authority"].as_object().map(|_| entry))
        .collect();
    assert_eq!(findings.len(), 2, "{history:#}");
    assert_eq!(
        findings[0]["detail"]["authority"]["certificate_status"],
        "new"
    );
    assert_eq!(
        findings[0]["from_status"], findings[0]["to_status"],
        "recorded in place"
    );
    assert_eq!(
        findings[1]["detail"]["authority"]["certificate_status"],
        "issue"
    );
    // A finding kept in place tells nobody; only the state changes were mailed.
    let kinds: Vec<String> = events(&app).await.into_iter().map(|(_, k, _)| k).collect();
    assert!(
        !kinds.contains(&"authority_status_recorded".to_owned()),
        "{kinds:?}"
    );
}

async fn a_link_waits_for_the_requester_until_they_say_it_is_done(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = claimed_issuance(&app, &p).await;
    let before = chrono::Utc::now();
    let v = step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "send_authority_link", "step": "complete_profile"}),
        "awaiting_requester_at_authority",
    )
    .await;
    let waiting = ticket(&app, &p.requester, &number).await;
    let link = &waiting["authority_link"];
    assert_eq!(link["step"], "complete_profile");
    assert_eq!(link["expired"], false);
    let expires: chrono::DateTime<chrono::Utc> =
        link["expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires - before).num_minutes() as f64 / 60.0;
    assert!(
        (23.9..=24.1).contains(&hours),
        "24 hours by default: {hours}"
    );

    // The requester cannot withdraw once the authority is involved; they say they are done.
    let cancel = app
        .act(&p.requester, &number, v, json!({"action": "cancel"}))
        .await;
    assert_eq!(cancel.status(), 409);
    let v = step(
        &app,
        &p.requester,
        &number,
        v,
        json!({"action": "reply", "reason": "Profil dan swafoto sudah dilengkapi"}),
        "in_review",
    )
    .await;
    assert_eq!(
        ticket(&app, &p.agent, &number).await["authority_link"],
        Value::Null,
        "the link is done with"
    );

    // The passphrase link; the agent sees the progress at the authority themself.
    let v = step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "send_authority_link", "step": "set_passphrase"}),
        "awaiting_requester_at_authority",
    )
    .await;
    // Handing the ticket to another agent meanwhile keeps the link and its clock.
    put_agent_in_directory(&app).await;
    let supervisor = app.token(
        SUPERVISOR_NIP,
        &[certdesk_domain::lifecycle::Role::Supervisor],
    );
    let v = step(
        &app,
        &supervisor,
        &number,
        v,
        json!({"action": "assign", "assignee_nip": AGENT_NIP}),
        "awaiting_requester_at_authority",
    )
    .await;
    assert_eq!(
        ticket(&app, &p.agent, &number).await["authority_link"]["step"],
        "set_passphrase"
    );
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "record_authority_status", "certificate_status": "On Set Passphrase"}),
        "in_review",
    )
    .await;
    let kinds: Vec<String> = events(&app).await.into_iter().map(|(_, k, _)| k).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.as_str() == "authority_link_sent")
            .count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"authority_status_recorded".to_owned()),
        "progress that ends the wait is mailed: {kinds:?}"
    );
}

async fn an_expired_link_is_flagged_in_the_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = claimed_issuance(&app, &p).await;
    step(
        &app,
        &p.agent,
        &number,
        v,
        json!({"action": "send_authority_link", "step": "set_passphrase"}),
        "awaiting_requester_at_authority",
    )
    .await;
    let queue = ticket(&app, &p.agent, &number).await["queue"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = queue_numbers(&app, &p.agent, &queue, "").await;
    assert_eq!(listed[0]["link_expired"], false);
    assert!(listed[0]["link_expires_at"].is_string());

    // A day later (the clock moved by rewriting the deadline), the link is past it.
    let yesterday = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            match backend {
                Backend::Postgres => "UPDATE tickets SET link_expires_at = $1::timestamptz",
                Backend::Sqlite => "UPDATE tickets SET link_expires_at = ?",
            },
            [yesterday.into()],
        ))
        .await
        .unwrap();
    let listed = queue_numbers(&app, &p.agent, &queue, "").await;
    assert_eq!(listed[0]["link_expired"], true);
    assert_eq!(
        ticket(&app, &p.agent, &number).await["authority_link"]["expired"],
        true
    );
}

async fn fields_an_action_does_not_take_are_refused_not_dropped(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = people(&app);
    let (number, v) = claimed_issuance(&app, &p).await;
    let cases = [
        (
            json!({"action": "request_information", "reason": "KTP buram", "certificate_status": "New"}),
            ("certificate_status", "not_for_action"),
        ),
        (
            json!({"action": "record_authority_status"}),
            ("certificate_status", "required"),
        ),
        (
            json!({"action": "record_authority_status", "certificate_status": "New", "valid_until": "01/12/2028"}),
            ("valid_until", "date_format"),
        ),
        (
            json!({"action": "send_authority_link"}),
            ("step", "required"),
        ),
        (
            json!({"action": "record_authority_status", "certificate_status": "New", "valid_until": "-5000-01-01"}),
            ("valid_until", "date_format"),
        ),
        (
            json!({"action": "request_information", "reason": "KTP buram", "step": "set_passphrase"}),
            ("step", "not_for_action"),
        ),
        (
            json!({"action": "resolve", "note": "Sertifikat terbit"}),
            ("certificate_status", "required"),
        ),
    ];
    for (action, (field, code)) in cases {
        let response = app.act(&p.agent, &number, v, action.clone()).await;
        assert_eq!(response.status(), 422, "{action}");
        assert_eq!(
            errors(&problem(response).await),
            [(field.to_owned(), code.to_owned())],
            "{action}"
        );
    }
    assert_eq!(
        ticket(&app, &p.agent, &number).await["version"].as_i64(),
        Some(v),
        "nothing was stored"
    );
}
