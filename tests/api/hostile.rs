//! Hostile input: what an attacker sends gets a 4xx problem+json naming what is wrong,
//! never a 5xx, and leaves nothing behind.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    list_filters_are_checked_like_intake_text,
    bidirectional_controls_are_refused_in_free_text,
    a_disclosed_secret_is_refused_wherever_people_write,
);

async fn list_filters_are_checked_like_intake_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.token(AGENT_NIP, &[certdesk_domain::lifecycle::Role::Agent]);
    let long = "a".repeat(201);
    for (list, token) in [
        ("/api/v1/queues/general/tickets", &agent),
        ("/api/v1/me/tickets", &app.requester_token()),
    ] {
        for (query, field, code) in [
            ("q=%00", "q", "text_control_characters"),
            ("q=abc%00def", "q", "text_control_characters"),
            ("q=%E2%80%AEfdp.exe", "q", "text_control_characters"),
            (&format!("q={long}") as &str, "q", "text_too_long"),
            ("service=%00", "service", "service_unknown"),
            ("subtype=%00", "subtype", "subtype_unknown"),
            ("officer=%00", "officer", "nip_format"),
            ("assignee=1990%0005172015031001", "assignee", "nip_format"),
            ("unit=Sekretariat%00Jenderal", "unit", "unit_unknown"),
            ("cursor=%00", "cursor", "required"),
        ] {
            let response = app.get_as(token, &format!("{list}?{query}")).await;
            assert_eq!(response.status(), 422, "{list}?{query}");
            let body = problem(response).await;
            assert_eq!(
                errors(&body),
                [(field.to_owned(), code.to_owned())],
                "{list}?{query}"
            );
        }
    }
    // A search of reasonable text still works.
    let found = app
        .get_as(&agent, "/api/v1/queues/general/tickets?q=sertifikat")
        .await;
    assert_eq!(found.status(), 200);
}

async fn bidirectional_controls_are_refused_in_free_text(backend: Backend) {
    let app = spawn_app(backend).await;
    for control in ['\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}'] {
        let mut ticket = ticket_json("15.1");
        ticket["description"] = json!(format!("Lampiran {control}fdp.exe terlampir"));
        let body = problem(app.post_ticket(form(&ticket, all_files())).await).await;
        assert_eq!(
            errors(&body),
            [(
                "description".to_owned(),
                "text_control_characters".to_owned()
            )],
            "U+{:04X}",
            control as u32
        );
    }
    assert_eq!(app.count("tickets").await, 0);
    assert_eq!(app.stored_files(), 0);
}

/// A passphrase or PIN never gets in: not in a ticket's description, not in a comment,
/// not in a reply; the refusal says the desk never needs it.
async fn a_disclosed_secret_is_refused_wherever_people_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = "PIN saya 123456";
    let mut ticket = ticket_json("15.1");
    ticket["description"] = json!(secret);
    let refused = problem(app.post_ticket(form(&ticket, all_files())).await).await;
    assert_eq!(
        errors(&refused),
        [("description".to_owned(), "secret_in_text".to_owned())]
    );
    assert!(
        refused["errors"][0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("never needs your passphrase"),
        "{refused}"
    );
    assert_eq!(app.count("tickets").await, 0);

    let (number, v) = file(&app, ticket_json("15.1"), all_files()).await;
    for (written, internal) in [
        ("passphrasenya Merdeka45!", false),
        ("pass\u{200B}phrase: Merdeka45!", false),
        ("PIN\u{FF1A}998877", true),
    ] {
        let token = if internal {
            app.token(AGENT_NIP, &[certdesk_domain::lifecycle::Role::Agent])
        } else {
            app.requester_token()
        };
        let response = app
            .client
            .post(app.url(&format!("/api/v1/tickets/{number}/comments")))
            .bearer_auth(token)
            .json(&json!({ "body": written, "internal": internal }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{written}");
        let body = problem(response).await;
        assert_eq!(
            errors(&body),
            [("body".to_owned(), "secret_in_text".to_owned())]
        );
    }
    assert_eq!(
        app.count_where("ticket_history", "kind = 'comment'").await,
        0,
        "no comment recorded"
    );
    let people = people(&app);
    let v = walk(
        &app,
        &number,
        v,
        &[
            (&people.officer, json!({"action": "endorse"}), "submitted"),
            (&people.agent, json!({"action": "claim"}), "in_review"),
            (
                &people.agent,
                json!({"action": "request_information", "reason": "KTP buram"}),
                "awaiting_requester",
            ),
        ],
    )
    .await;
    let reply = app
        .act(
            &people.requester,
            &number,
            v,
            json!({"action": "reply", "reason": "pin ds 998877"}),
        )
        .await;
    assert_eq!(reply.status(), 422);
    assert_eq!(
        errors(&problem(reply).await),
        [("reason".to_owned(), "secret_in_text".to_owned())]
    );
}

/// Every answer says its type is the one it says, and the API documentation's page runs
/// only its own scripts.
#[tokio::test]
async fn every_response_is_nosniff_and_the_docs_have_a_strict_policy() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/health/live",
        "/api/v1/services",
        "/openapi.json",
        "/no/such/route",
        "/docs/",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    let policy = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
}
