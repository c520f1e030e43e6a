//! Filing valid tickets of every service and sub-type, and what gets stored.

use serde_json::{Value, json};

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_valid_ticket_of_each_service_and_subtype_is_filed_and_reads_back,
    ticket_numbers_come_from_a_sequence_and_are_never_reused,
    every_file_is_stored_on_its_own_under_a_name_that_says_nothing,
    a_unit_written_in_the_ministrys_long_form_is_stored_in_the_guides_form,
    warnings_accompany_an_accepted_ticket,
);

/// (service, ticket JSON, file parts)
type Case = (
    &'static str,
    Value,
    Vec<(&'static str, reqwest::multipart::Part)>,
);

fn cases() -> Vec<Case> {
    let mut cases = vec![("15.1", ticket_json("15.1"), all_files())];
    for subtype in ["passphrase_link", "passphrase_reset", "renewal"] {
        let mut ticket = ticket_json("15.2");
        ticket["subtype"] = json!(subtype);
        cases.push(("15.2", ticket, required_files()));
    }
    let mut data_change = ticket_json("15.2");
    data_change["subtype"] = json!("data_change");
    data_change["changes"] = json!([{ "field": "position", "new_value": "Analis Kepegawaian" }]);
    cases.push(("15.2", data_change, required_files()));
    let mut revocation = ticket_json("15.3");
    revocation["reason"] = json!("other");
    revocation["reason_detail"] = json!("Sertifikat ganda di portal.");
    cases.push(("15.3", revocation, required_files()));
    cases
}

async fn a_valid_ticket_of_each_service_and_subtype_is_filed_and_reads_back(backend: Backend) {
    let app = spawn_app(backend).await;
    for (service, ticket, files) in cases() {
        let file_count = files.len();
        let response = app.post_ticket(form(&ticket, files)).await;
        assert_eq!(
            response.status(),
            201,
            "{service} {}: {:?}",
            ticket["subtype"],
            response.text().await
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = response.json().await.unwrap();
        let number = created["number"].as_str().unwrap();
        assert!(number.starts_with('S') && number.len() == 12, "{number}");
        assert_eq!(location, format!("/api/v1/tickets/{number}"));
        // 15.1 and 15.3 wait for the responsible officer's endorsement first.
        let expected_status = if service == "15.2" {
            "submitted"
        } else {
            "awaiting_endorsement"
        };
        assert_eq!(created["status"], expected_status);

        let stored: Value = app.get(&location).await.json().await.unwrap();
        assert_eq!(stored["number"], number);
        assert_eq!(stored["service"], service);
        assert_eq!(
            stored["subtype"],
            ticket.get("subtype").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(
            stored["reason"],
            ticket.get("reason").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(stored["requester"]["email"], "andi.contoh@kemenkeu.go.id");
        assert_eq!(stored["attachments"].as_array().unwrap().len(), file_count);
        if let Some(changes) = ticket.get("changes") {
            assert_eq!(&stored["changes"], changes);
        }
    }
    assert_eq!(app.count("tickets").await, 6);
    assert_eq!(
        app.count_where("ticket_events", "kind = 'ticket_received'")
            .await,
        6,
        "each ticket tells its requester"
    );
    assert_eq!(
        app.count_where("ticket_events", "kind = 'endorsement_needed'")
            .await,
        2,
        "15.1 and 15.3 ask their officer"
    );
}

async fn ticket_numbers_come_from_a_sequence_and_are_never_reused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut numbers = Vec::new();
    for n in 1..=2 {
        let token = app.token(&requester_nip(n), &[Role::Requester]);
        let response = app
            .post_ticket_as(&token, form(&ticket_json_for("15.1", n), all_files()))
            .await;
        assert_eq!(response.status(), 201);
        numbers.push(
            response.json::<Value>().await.unwrap()["number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(numbers, ["S00000000001", "S00000000002"]);

    // Even if the newest ticket disappears, its number is not handed out again. Only an
    // administrator who first lifts the history's append-only guard can make one
    // disappear, and the sequence still holds.
    use sea_orm::ConnectionTrait;
    let lift_guard = match backend {
        Backend::Sqlite => "DROP TRIGGER ticket_history_no_delete",
        Backend::Postgres => {
            "ALTER TABLE ticket_history DISABLE TRIGGER ticket_history_append_only"
        }
    };
    app.db.execute_unprepared(lift_guard).await.unwrap();
    app.db
        .execute_unprepared("DELETE FROM tickets WHERE id = 2")
        .await
        .unwrap();
    let token = app.token(&requester_nip(3), &[Role::Requester]);
    let response = app
        .post_ticket_as(&token, form(&ticket_json_for("15.1", 3), all_files()))
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["number"],
        "S00000000003"
    );
}

async fn every_file_is_stored_on_its_own_under_a_name_that_says_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    for n in 1..=2 {
        let token = app.token(&requester_nip(n), &[Role::Requester]);
        let response = app
            .post_ticket_as(&token, form(&ticket_json_for("15.1", n), all_files()))
            .await;
        assert_eq!(response.status(), 201);
    }
    assert_eq!(app.count("ticket_attachments").await, 10);
    // No deduplication: finding two equal files needs a fingerprint of their content,
    // which would let whoever holds a known scan confirm it is here.
    assert_eq!(app.count("stored_files").await, 10);
    assert_eq!(app.stored_files(), 10);
    let names = app.stored_file_names();
    assert_eq!(names.len(), 10);
    for name in names {
        assert!(
            uuid::Uuid::parse_str(&name).is_ok(),
            "{name} is a random id, not a digest"
        );
    }
}

async fn a_unit_written_in_the_ministrys_long_form_is_stored_in_the_guides_form(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["unit"] = json!("direktorat jenderal  pengelolaan pembiayaan dan risiko");
    ticket["responsible_officer_nip"] = json!(DJPPR_OFFICER_NIP);
    let response = app.post_ticket(form(&ticket, all_files())).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let stored: Value = app
        .get("/api/v1/tickets/S00000000001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["requester"]["unit"],
        "Dirjen Pengelolaan dan Pembiayaan Risiko"
    );
}

async fn warnings_accompany_an_accepted_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("data_change");
    ticket["changes"] = json!([{ "field": "email", "new_value": "andi.contoh2@kemenkeu.go.id" }]);
    let response = app.post_ticket(form(&ticket, required_files())).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["warnings"][0]["code"], "change_needs_revocation");
    assert!(
        body["warnings"][0]["message"]["id"]
            .as_str()
            .unwrap()
            .contains("15.3")
    );
    // The agent reads the same warnings on the ticket, for as long as it lives.
    let number = body["number"].as_str().unwrap();
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let stored: Value = app
        .get_as(&agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["intake_warnings"], body["warnings"]);
    // A ticket filed without any has none.
    let mut revocation = ticket_json("15.3");
    revocation["reason"] = json!("retired");
    let quiet: Value = app
        .post_ticket(form(&revocation, required_files()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quiet["warnings"], json!([]), "{quiet}");
    let stored: Value = app
        .get_as(&agent, quiet["href"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["intake_warnings"], json!([]));
}
