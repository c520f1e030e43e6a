//! The flows many tests share: the people of a ticket, filing one, walking it through
//! actions.

use certdesk_domain::lifecycle::Role;
use serde_json::{Value, json};

use super::requests::{all_files, form, required_files, ticket_json, ticket_json_for};
use super::{AGENT_NIP, OFFICER_NIP, OTHER_AGENT_NIP, TestApp, requester_nip};

pub struct People {
    pub requester: String,
    pub officer: String,
    pub agent: String,
    pub other_agent: String,
}

pub fn people(app: &TestApp) -> People {
    People {
        requester: app.requester_token(),
        officer: app.token(OFFICER_NIP, &[Role::Officer]),
        agent: app.token(AGENT_NIP, &[Role::Agent]),
        other_agent: app.token(OTHER_AGENT_NIP, &[Role::Agent]),
    }
}

/// Files a ticket as the main test requester and returns its number and version (the
/// version as the `ETag` gives it).
pub async fn file(
    app: &TestApp,
    ticket: Value,
    files: Vec<(&'static str, reqwest::multipart::Part)>,
) -> (String, i64) {
    let response = app.post_ticket(form(&ticket, files)).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let version = version_of(&response);
    let body: Value = response.json().await.unwrap();
    (body["number"].as_str().unwrap().to_owned(), version)
}

/// The ticket version an `ETag` header names.
pub fn version_of(response: &reqwest::Response) -> i64 {
    let etag = response.headers()["etag"].to_str().unwrap();
    etag.trim_matches('"')
        .parse()
        .expect("an ETag holding a version")
}

/// Takes the actions in order, each expected to succeed with its status; returns the
/// final version.
pub async fn walk(
    app: &TestApp,
    number: &str,
    mut version: i64,
    steps: &[(&str, Value, &str)],
) -> i64 {
    for (token, action, status) in steps {
        version = step(app, token, number, version, action.clone(), status).await;
    }
    version
}

/// Acts and expects success; returns the new version.
pub async fn step(
    app: &TestApp,
    token: &str,
    number: &str,
    version: i64,
    action: Value,
    status: &str,
) -> i64 {
    let response = app.act(token, number, version, action.clone()).await;
    assert_eq!(
        response.status(),
        200,
        "{action}: {:?}",
        response.text().await
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let ticket: Value = response.json().await.unwrap();
    assert_eq!(ticket["status"], status, "{action}");
    assert_eq!(etag, format!("\"{}\"", ticket["version"]));
    ticket["version"].as_i64().unwrap()
}

/// A 15.1 ticket filed with every file, endorsed, claimed by the agent, who asked the
/// requester for `reason`: the desk now waits for the requester. Returns its number.
pub async fn awaiting_requester(app: &TestApp, p: &People, reason: &str) -> String {
    let (number, version) = file(app, ticket_json("15.1"), all_files()).await;
    walk(
        app,
        &number,
        version,
        &[
            (&p.officer, json!({"action": "endorse"}), "submitted"),
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": reason}),
                "awaiting_requester",
            ),
        ],
    )
    .await;
    number
}

/// The requester's `reply` through the API, on the ticket as it stands now.
pub async fn requester_replies(app: &TestApp, p: &People, number: &str, text: &str) {
    let current: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    let version = current["version"].as_i64().unwrap();
    let response = app
        .act(
            &p.requester,
            number,
            version,
            json!({"action": "reply", "reason": text}),
        )
        .await;
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

/// Files a 15.2 passphrase reset for the `n`th synthetic requester, who asks for
/// `accept_language`; returns the ticket's number.
pub async fn file_passphrase_reset_in_english(
    app: &TestApp,
    n: u32,
    accept_language: &str,
) -> String {
    let mut reset = ticket_json_for("15.2", n);
    reset["subtype"] = json!("passphrase_reset");
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.token(&requester_nip(n), &[Role::Requester]))
        .header("Accept-Language", accept_language)
        .multipart(form(&reset, required_files()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let body: Value = response.json().await.unwrap();
    body["number"].as_str().unwrap().to_owned()
}

/// Comments on a ticket and expects it recorded.
pub async fn post_comment(app: &TestApp, token: &str, number: &str, body: &str, internal: bool) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{number}/comments")))
        .bearer_auth(token)
        .json(&json!({ "body": body, "internal": internal }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
}
