//! A body or a query that does not read is answered with the field and what it takes,
//! in both languages, and never with the value sent: here a NIK sent as a number, to
//! every route that reads JSON (and the multipart filing's `ticket` part, and a query).

use certdesk_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_nik_sent_as_a_number_is_named_by_its_field_and_never_echoed,
    a_body_that_is_not_plain_json_of_a_sane_size_is_refused_for_what_it_is
);

/// A NIK written as a JSON number, where a string belongs.
const NIK_AS_NUMBER: u64 = 3174052601850921;

/// The routes that take no JSON body: multipart filings, and requeueing by path.
const NOT_JSON: &[(&str, &str)] = &[
    ("/tickets", "post"),
    ("/tickets/validate", "post"),
    ("/tickets/{number}/attachments/{kind}", "put"),
    ("/outbox/dead-letters/requeue", "post"),
    ("/outbox/dead-letters/{event_id}/requeue", "post"),
];

async fn a_nik_sent_as_a_number_is_named_by_its_field_and_never_echoed(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Agent, Role::Supervisor]);
    let (number, version) = file(&app, ticket_json("15.1"), all_files()).await;
    let nik = json!(NIK_AS_NUMBER);
    // (method, route as the table writes it, path, body, the field named)
    let cases = [
        (
            "put",
            "/officers/{nip}",
            format!("/api/v1/officers/{OFFICER_NIP}"),
            json!({"name": nik, "unit": "Sekretariat Jenderal", "email": "kepala.upk.setjen@kemenkeu.go.id", "active": true}),
            "name",
        ),
        (
            "put",
            "/staff/{nip}",
            format!("/api/v1/staff/{AGENT_NIP}"),
            json!({"name": "Petugas RA", "email": nik, "unit": "Sekretariat Jenderal", "role": "agent", "active": true}),
            "email",
        ),
        (
            "put",
            "/routing-rules",
            "/api/v1/routing-rules".to_owned(),
            json!({"rules": [{"service": "15.3", "queue": nik}]}),
            "rules[0].queue",
        ),
        (
            "post",
            "/tickets/{number}/actions",
            format!("/api/v1/tickets/{number}/actions"),
            json!({"action": "reject", "reason": nik}),
            "reason",
        ),
        (
            "post",
            "/tickets/{number}/comments",
            format!("/api/v1/tickets/{number}/comments"),
            json!({"body": nik}),
            "body",
        ),
        (
            "post",
            "/data-subjects/export",
            "/api/v1/data-subjects/export".to_owned(),
            json!({"nik": nik}),
            "nik",
        ),
        (
            "post",
            "/data-subjects/anonymise",
            "/api/v1/data-subjects/anonymise".to_owned(),
            json!({"nik": nik}),
            "nik",
        ),
    ];
    // Every route that changes something and is not multipart or bodiless is here.
    for (route, method) in certdesk_api::routes::API_ROUTES {
        if *method == "get" || NOT_JSON.contains(&(*route, *method)) {
            continue;
        }
        assert!(
            cases.iter().any(|(m, r, ..)| m == method && r == route),
            "{method} {route} reads JSON: add it here"
        );
    }
    for (method, _, path, body, field) in cases {
        let response = app
            .client
            .request(method.to_uppercase().parse().unwrap(), app.url(&path))
            .bearer_auth(&supervisor)
            .header("if-match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{method} {path}");
        let text = problem_text(response).await;
        assert_refused_without_the_value(&text, field, &format!("{method} {path}"));
    }

    // The filing's `ticket` part.
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["nik"] = nik.clone();
    let response = app.post_ticket(form(&ticket, all_files())).await;
    assert_eq!(response.status(), 422);
    let text = problem_text(response).await;
    assert_refused_without_the_value(&text, "requester.nik", "the ticket part");

    // A query parameter.
    let response = app
        .get_as(
            &supervisor,
            &format!("/api/v1/queues/general/tickets?created_before={NIK_AS_NUMBER}"),
        )
        .await;
    assert_eq!(response.status(), 422);
    let text = problem_text(response).await;
    assert_refused_without_the_value(&text, "created_before", "a query");
}

async fn problem_text(response: reqwest::Response) -> String {
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.text().await.unwrap()
}

fn assert_refused_without_the_value(text: &str, field: &str, what: &str) {
    assert!(
        !text.contains(&NIK_AS_NUMBER.to_string()),
        "{what}: the value is echoed: {text}"
    );
    let body: Value = serde_json::from_str(text).unwrap();
    let problem = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == field)
        .unwrap_or_else(|| panic!("{what}: no problem names `{field}`: {text}"));
    let (id, en) = (
        problem["message"]["id"].as_str().unwrap(),
        problem["message"]["en"].as_str().unwrap(),
    );
    assert!(en.contains(field) || en.contains("must be"), "{what}: {en}");
    assert_ne!(id, en, "{what}: said in Indonesian too");
}

/// Another media type and a compressed body get 415 (RFC 9110) naming the header; a body
/// over the limit gets 413 about JSON, not attachments; nothing is stored.
async fn a_body_that_is_not_plain_json_of_a_sane_size_is_refused_for_what_it_is(backend: Backend) {
    let app = spawn_app(backend).await;
    let supervisor = app.token(SUPERVISOR_NIP, &[Role::Agent, Role::Supervisor]);
    // Someone not yet in the directory: a refused body must leave them out of it.
    const NEWCOMER: &str = "198502142010012004";
    let path = format!("/api/v1/officers/{NEWCOMER}");
    let officer = json!({"name": "Kepala UPK", "unit": "Sekretariat Jenderal",
        "email": "kepala.upk.setjen@kemenkeu.go.id", "active": true})
    .to_string();
    let send = |content_type: &'static str, encoding: Option<&'static str>, body: Vec<u8>| {
        let mut request = app
            .client
            .put(app.url(&path))
            .bearer_auth(&supervisor)
            .header("content-type", content_type)
            .body(body);
        if let Some(encoding) = encoding {
            request = request.header("content-encoding", encoding);
        }
        request.send()
    };

    let response = send("text/plain", None, officer.clone().into_bytes())
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let text = problem_text(response).await;
    assert!(text.contains("Content-Type: application/json"), "{text}");

    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, officer.as_bytes()).unwrap();
    let response = send("application/json", Some("gzip"), gzip.finish().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let text = problem_text(response).await;
    assert!(text.contains("Content-Encoding"), "{text}");

    let huge = format!(
        r#"{{"name": "{}"}}"#,
        "a".repeat(certdesk_api::JSON_BODY_LIMIT)
    );
    let response = send("application/json", None, huge.into_bytes())
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let text = problem_text(response).await;
    assert!(
        text.contains("JSON body") && !text.contains("attachments"),
        "{text}"
    );

    let officers: Value = app
        .get_as(&supervisor, "/api/v1/officers")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        officers
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["nip"] != NEWCOMER),
        "none of them saved: {officers}"
    );
}
