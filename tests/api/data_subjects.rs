//! The data subject's rights: a supervisor exports everything held about a person, found
//! by their NIK (sent in the body), and anonymises them once all their tickets have
//! ended. Both are audited; neither reaches anyone else's data.

use serde_json::{Value, json};

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_supervisor_exports_everything_held_about_one_person_and_only_that,
    a_person_is_anonymised_only_once_all_their_tickets_have_ended,
);

const OTHER_NIK: &str = "3174051705900002";

/// Two tickets of the requester (a 15.1 and a 15.2 renewal), and one of someone else.
async fn two_people(app: &TestApp) -> (Vec<(String, i64)>, String) {
    let first = file(app, ticket_json("15.1"), all_files()).await;
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let second = file(app, renewal, required_files()).await;
    let mut theirs = ticket_json_for("15.1", 5);
    theirs["requester"]["nik"] = json!(OTHER_NIK);
    let other = app.token(&requester_nip(5), &[Role::Requester]);
    let response = app.post_ticket_as(&other, form(&theirs, all_files())).await;
    assert_eq!(response.status(), 201);
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    (vec![first, second], number)
}

async fn post(app: &TestApp, token: &str, what: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/data-subjects/{what}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn a_supervisor_exports_everything_held_about_one_person_and_only_that(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let (mine, theirs) = two_people(&app).await;

    // Agents and requesters may not; a malformed NIK names the field and its rule.
    let p = people(&app);
    for token in [&p.agent, &p.requester] {
        let refused = post(&app, token, "export", json!({"nik": REQUESTER_NIK})).await;
        assert_eq!(refused.status(), 403);
    }
    let bad = problem(post(&app, &supervisor, "export", json!({"nik": "31740517"})).await).await;
    assert_eq!(errors(&bad)[0].0, "nik");
    let unknown_field = post(
        &app,
        &supervisor,
        "export",
        json!({"nik": REQUESTER_NIK, "nip": REQUESTER_NIP}),
    )
    .await;
    assert_eq!(unknown_field.status(), 422);

    let export: Value = post(&app, &supervisor, "export", json!({"nik": REQUESTER_NIK}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["nik"], "3174********0001");
    let tickets = export["tickets"].as_array().unwrap();
    let numbers: Vec<&str> = tickets
        .iter()
        .map(|t| t["ticket"]["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [mine[0].0.as_str(), mine[1].0.as_str()]);
    assert!(!numbers.contains(&theirs.as_str()));
    for t in tickets {
        assert_eq!(t["ticket"]["requester"]["nik"], REQUESTER_NIK);
        assert!(t["ended_at"].is_null());
        assert_eq!(t["history"][0]["kind"], "created");
        assert!(
            t["emails"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["event"] == "ticket_received"),
            "{t}"
        );
        assert!(!t["ticket"]["attachments"].as_array().unwrap().is_empty());
    }

    let nobody: Value = post(
        &app,
        &supervisor,
        "export",
        json!({"nik": "3174051705900003"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(nobody["tickets"], json!([]));

    // One audit row per ticket shown, and one for the look that found nothing.
    assert_eq!(
        app.count_where("audit_log", "kind = 'data_subject_exported'")
            .await,
        3
    );
    assert_eq!(
        app.count_where(
            "audit_log",
            &format!("kind = 'data_subject_exported' AND actor = '{SUPERVISOR_NIP}' AND capacity = 'supervisor'")
        )
        .await,
        3
    );
}

async fn a_person_is_anonymised_only_once_all_their_tickets_have_ended(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let p = people(&app);
    let (mine, theirs) = two_people(&app).await;

    let refused = post(
        &app,
        &supervisor,
        "anonymise",
        json!({"nik": REQUESTER_NIK}),
    )
    .await;
    assert_eq!(refused.status(), 409);
    let body = problem(refused).await;
    assert_eq!(body["code"], "data_subject_has_open_tickets");
    let said = body["message"]["en"].as_str().unwrap();
    assert!(
        said.contains(&mine[0].0) && said.contains(&mine[1].0),
        "{said}"
    );
    assert_eq!(app.stored_files(), 14, "nothing purged");

    for (number, version) in &mine {
        step(
            &app,
            &p.requester,
            number,
            *version,
            json!({"action": "cancel"}),
            "cancelled",
        )
        .await;
    }
    let done: Value = post(
        &app,
        &supervisor,
        "anonymise",
        json!({"nik": REQUESTER_NIK}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(done["tickets"], json!([mine[0].0, mine[1].0]));
    assert_eq!(done["files_purged"], 9);
    assert_eq!(
        app.stored_files(),
        5,
        "only the other person's files remain"
    );

    let ticket: Value = app
        .get_as(&supervisor, &format!("/api/v1/tickets/{}", mine[0].0))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["requester"]["name"], "(dianonimkan)");
    assert_eq!(ticket["requester"]["email"], "dianonimkan@anonim.invalid");
    assert_eq!(ticket["requester"]["nik"], "****************");
    assert_eq!(ticket["description"], "(dianonimkan)");
    assert_eq!(ticket["service"], "15.1", "what the statistics need stays");
    assert!(
        ticket["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a["purged_at"].is_null())
    );
    let history: Value = app
        .get_as(
            &supervisor,
            &format!("/api/v1/tickets/{}/history", mine[0].0),
        )
        .await
        .json()
        .await
        .unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["actor"].as_str()),
        (Some("anonymised"), Some(SUPERVISOR_NIP))
    );

    // The person can no longer be found; the other person is untouched.
    let again: Value = post(&app, &supervisor, "export", json!({"nik": REQUESTER_NIK}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["tickets"], json!([]));
    let gone = post(
        &app,
        &supervisor,
        "anonymise",
        json!({"nik": REQUESTER_NIK}),
    )
    .await;
    assert_eq!(problem(gone).await["code"], "data_subject_not_found");
    let other: Value = app
        .get_as(&supervisor, &format!("/api/v1/tickets/{theirs}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["requester"]["nik"], OTHER_NIK);
    assert_eq!(
        app.count_where("audit_log", "kind = 'data_subject_anonymised'")
            .await,
        2
    );
}
