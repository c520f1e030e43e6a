//! The API's conventions as integrators rely on them: idempotent filing, request ids,
//! `Link` headers on pages, and the OpenAPI document matching the routes that exist.

use certdesk_domain::lifecycle::Role;
use futures_util::future::join_all;
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_retry_with_the_same_key_gets_the_first_answer_and_files_nothing,
    the_same_key_with_another_request_is_refused,
    concurrent_retries_file_one_ticket,
    keys_belong_to_their_caller,
    an_expired_key_is_free_again,
    a_retry_is_answered_from_memory_even_after_the_directory_changed,
);

/// A 15.3 revocation filed by the `n`th synthetic requester (1 is the main one).
fn revocation(n: u32) -> Value {
    let mut ticket = if n == 1 {
        ticket_json("15.3")
    } else {
        ticket_json_for("15.3", n)
    };
    ticket["reason"] = "key_compromise".into();
    ticket
}

const KEY: &str = "0b9c3c8e-5d1a-4c3e-9d7f-2f6a1e4b8c21";

async fn post_with_key(app: &TestApp, token: &str, key: &str, ticket: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .multipart(form(ticket, required_files()))
        .send()
        .await
        .expect("request")
}

async fn a_retry_with_the_same_key_gets_the_first_answer_and_files_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let ticket = revocation(1);
    let token = app.requester_token();

    let first = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].clone();
    let first_body = first.text().await.unwrap();

    // The retry is framed differently (a new multipart boundary, the JSON's keys in
    // another order with other whitespace) but says the same.
    let reordered: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&ticket).unwrap()).unwrap();
    let again = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&token)
        .header("Idempotency-Key", KEY)
        .multipart(
            required_files()
                .into_iter()
                .rev()
                .fold(reqwest::multipart::Form::new(), |form, (name, part)| {
                    form.part(name, part)
                })
                .text("ticket", serde_json::to_string_pretty(&reordered).unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(
        again.text().await.unwrap(),
        first_body,
        "the same bytes again"
    );

    assert_eq!(app.count("tickets").await, 1);
    assert_eq!(
        app.count_where("ticket_history", "kind = 'created'").await,
        1,
        "one ticket, one history"
    );
}

/// The ticket was filed: a retry gets its answer even when the rules would now refuse
/// the same request (here, the officer left office in between), and without consulting
/// the directory at all (here, it is gone).
async fn a_retry_is_answered_from_memory_even_after_the_directory_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.requester_token();
    let ticket = revocation(1);
    let first = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(first.status(), 201);
    let first_body = first.text().await.unwrap();

    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let retired = app
        .client
        .put(app.url(&format!("/api/v1/officers/{OFFICER_NIP}")))
        .bearer_auth(&supervisor)
        .json(&serde_json::json!({
            "name": "Kepala UPK Contoh",
            "unit": "Sekretariat Jenderal",
            "email": "kepala.upk.setjen@kemenkeu.go.id",
            "active": false
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(retired.status(), 200);

    let again = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), first_body);
    // The same request under a new key meets today's rules.
    let fresh = post_with_key(&app, &token, "another-key", &ticket).await;
    let body = problem(fresh).await;
    assert!(
        errors(&body).contains(&(
            "responsible_officer_nip".to_owned(),
            "officer_inactive".to_owned()
        )),
        "{body}"
    );

    // With the directory unreadable, a retry is still answered: nothing but the key's
    // memory is read.
    app.db
        .execute_unprepared("ALTER TABLE officers RENAME TO officers_elsewhere")
        .await
        .unwrap();
    let again = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.text().await.unwrap(), first_body);
}

async fn the_same_key_with_another_request_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.requester_token();
    let mut ticket = revocation(1);
    assert_eq!(
        post_with_key(&app, &token, KEY, &ticket).await.status(),
        201
    );

    ticket["description"] = "Another request under the same key.".into();
    let reused = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(reused.status(), 422);
    let body = problem(reused).await;
    assert_eq!(body["code"], "idempotency_key_reused");
    assert_eq!(
        errors(&body),
        [(
            "Idempotency-Key".to_owned(),
            "idempotency_key_reused".to_owned()
        )]
    );
    assert!(
        body["message"]["id"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(app.count("tickets").await, 1);

    // Not a key at all.
    for bad in ["", "has space", &"k".repeat(256)] {
        let response = post_with_key(&app, &token, bad, &ticket).await;
        assert_eq!(response.status(), 422, "{bad:?}");
        let body = problem(response).await;
        assert_eq!(
            errors(&body),
            [(
                "Idempotency-Key".to_owned(),
                "idempotency_key_format".to_owned()
            )]
        );
    }
}

async fn concurrent_retries_file_one_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.requester_token();
    let ticket = revocation(1);

    let responses = join_all((0..8).map(|_| post_with_key(&app, &token, KEY, &ticket))).await;
    let mut numbers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        numbers.push(body["number"].as_str().unwrap().to_owned());
    }
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        1,
        "every answer names the one ticket: {numbers:?}"
    );
    assert_eq!(app.count("tickets").await, 1);
    assert_eq!(app.count("idempotency_keys").await, 1);
}

async fn keys_belong_to_their_caller(backend: Backend) {
    let app = spawn_app(backend).await;
    for n in [1, 2] {
        let nip = requester_nip(n);
        let token = app.token(&nip, &[Role::Requester]);
        let ticket = revocation(n);
        let response = post_with_key(&app, &token, KEY, &ticket).await;
        assert_eq!(
            response.status(),
            201,
            "requester {n} has a ticket of their own"
        );
        assert!(response.headers().get("idempotent-replayed").is_none());
    }
    assert_eq!(app.count("tickets").await, 2);
}

async fn an_expired_key_is_free_again(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.idempotency.retention_hours = 0).await;
    let token = app.requester_token();
    let ticket = revocation(1);
    assert_eq!(
        post_with_key(&app, &token, KEY, &ticket).await.status(),
        201
    );
    // Not remembered: the request is taken as new, and meets the open ticket.
    let again = post_with_key(&app, &token, KEY, &ticket).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "open_ticket_exists");
    assert_eq!(app.count("tickets").await, 1);
}

#[tokio::test]
async fn a_client_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = spawn_app(Backend::Sqlite).await;
    let sent = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "portal-7f3a.42_b")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["x-request-id"], "portal-7f3a.42_b");

    let unsafe_id = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "a b<script>")
        .send()
        .await
        .unwrap();
    let echoed = unsafe_id.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(echoed, "a b<script>");
    assert!(
        uuid::Uuid::parse_str(echoed).is_ok(),
        "the server's own id: {echoed}"
    );
}

#[tokio::test]
async fn pages_carry_a_link_header_equal_to_next() {
    let app = spawn_app(Backend::Sqlite).await;
    for n in 1..=3 {
        let token = app.token(&requester_nip(n), &[Role::Requester]);
        let ticket = revocation(n);
        let response = app
            .post_ticket_as(&token, form(&ticket, required_files()))
            .await;
        assert_eq!(response.status(), 201);
    }
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let first = app
        .get_as(&agent, "/api/v1/queues/general/tickets?limit=2")
        .await;
    assert_eq!(first.status(), 200);
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let page: Value = first.json().await.unwrap();
    let next = page["next"].as_str().unwrap();
    assert_eq!(link, format!("<{next}>; rel=\"next\""));

    let last = app.get_as(&agent, next).await;
    assert!(last.headers().get("link").is_none());
    let page: Value = last.json().await.unwrap();
    assert!(page["next"].is_null());
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_served_document_is_the_committed_one_and_docs_need_no_download() {
    let app = spawn_app(Backend::Sqlite).await;
    let served = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/json");
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    assert_eq!(
        served.text().await.unwrap(),
        std::fs::read_to_string(&committed).unwrap(),
        "the server serves what is committed in openapi/openapi.json"
    );

    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let page = docs.text().await.unwrap();
    assert!(page.contains("swagger-ui"), "the UI's page");
    // Its scripts are served by certdesk itself: no CDN.
    assert!(!page.contains("https://"), "no outside address in the page");
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), 200);
    assert!(initializer.text().await.unwrap().contains("/openapi.json"));
}

/// Every route under `/api/v1` is in the document with its method: the route table the
/// server registers is the one checked here.
#[test]
fn every_routed_operation_is_documented() {
    let document: Value = serde_json::from_str(&certdesk_api::openapi::document_json()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(certdesk_api::routes::API_ROUTES.len() >= 20);
    for (path, method) in certdesk_api::routes::API_ROUTES {
        let documented = paths
            .get(&format!("/api/v1{path}"))
            .and_then(|item| item.get(*method));
        assert!(
            documented.is_some(),
            "{method} /api/v1{path} is not documented"
        );
    }
    let documented_api: usize = paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/"))
        .map(|(_, item)| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented_api,
        certdesk_api::routes::API_ROUTES.len(),
        "the document and the route table list the same operations"
    );
}

/// Every operation the document describes is a route that exists with that method:
/// called without a token, each answers 401 (or 200 for the open ones), never a 404 for
/// an unknown route or a 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app(Backend::Sqlite).await;
    let document: Value = serde_json::from_str(&certdesk_api::openapi::document_json()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    for (path, item) in paths {
        let concrete = path
            .replace("{number}", "S00000000001")
            .replace("{kind}", "ktp_scan")
            .replace("{queue}", "general")
            .replace("{nip}", OFFICER_NIP)
            .replace("{event_id}", "00000000-0000-4000-8000-000000000000");
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let open = path.starts_with("/health") || path == "/metrics" || path == "/";
            let expected = if open { 200 } else { 401 };
            assert_eq!(status, expected, "{method} {path}");
        }
    }
}

/// A newcomer who opens the desk's address, or mistypes one, is told where things are;
/// every JSON answer (a document, a problem) is a line of its own in a terminal; the
/// console names its icon, so no page asks for a /favicon.ico that is not there.
#[tokio::test]
async fn the_way_in_is_said_and_answers_end_their_line() {
    let app = spawn_app(Backend::Sqlite).await;
    let index = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    let text = index.text().await.unwrap();
    assert!(text.ends_with("}\n"), "{text:?}");
    let index: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(index["docs"], "/docs/");
    assert_eq!(index["console"], "/console/");

    let lost = app.client.get(app.url("/tikets")).send().await.unwrap();
    assert_eq!(lost.status(), 404);
    let text = lost.text().await.unwrap();
    assert!(text.ends_with("}\n"), "{text:?}");
    assert!(
        text.contains("/docs/") && text.contains("/console/"),
        "{text}"
    );

    let services = app
        .get_as(
            &app.token(REQUESTER_NIP, &[Role::Requester]),
            "/api/v1/services",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        services.ends_with("}\n") || services.ends_with("]\n"),
        "{services:?}"
    );

    let icon = app
        .client
        .get(app.url("/console/static/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
}
