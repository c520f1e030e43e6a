//! Reading tickets and downloading their attachments.

use serde_json::Value;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    the_nik_is_masked_when_a_ticket_is_read,
    an_attachment_downloads_with_its_detected_type_and_safe_headers,
    unknown_tickets_attachments_and_routes_are_problem_404s,
);

async fn file_one(app: &TestApp) -> String {
    let response = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_nik_is_masked_when_a_ticket_is_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let href = file_one(&app).await;
    let own: Value = app.get(&href).await.json().await.unwrap();
    assert_eq!(
        own["requester"]["nik"], REQUESTER_NIK,
        "the requester sees their own NIK"
    );

    // The officer sees it masked.
    let officer = app.token(OFFICER_NIP, &[Role::Officer]);
    let body = app.get_as(&officer, &href).await.text().await.unwrap();
    assert!(
        !body.contains(REQUESTER_NIK),
        "the officer never sees the digits"
    );
    let ticket: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ticket["requester"]["nik"], "3174********0001");
    assert_eq!(app.count("audit_log").await, 0, "no look at a NIK yet");

    // RA staff compare it with the scan and the authority's records: they see it in full,
    // and the audit records that they did.
    let agent = app.token(AGENT_NIP, &[Role::Agent]);
    let ticket: Value = app.get_as(&agent, &href).await.json().await.unwrap();
    assert_eq!(ticket["requester"]["nik"], REQUESTER_NIK);
    assert_eq!(app.count_where("audit_log", "kind = 'nik_shown'").await, 1);
}

async fn an_attachment_downloads_with_its_detected_type_and_safe_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let href = file_one(&app).await;
    let ticket: Value = app.get(&href).await.json().await.unwrap();
    let letter = ticket["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "recommendation_letter")
        .unwrap()
        .clone();
    assert_eq!(letter["content_type"], "application/pdf");

    let response = app.get(letter["href"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"S00000000001-recommendation_letter.pdf\""
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf().as_slice());

    let scan: Value = ticket["attachments"][0].clone();
    assert_eq!(
        (
            scan["kind"].as_str(),
            scan["width"].as_u64(),
            scan["height"].as_u64()
        ),
        (Some("ktp_scan"), Some(448), Some(290))
    );
}

async fn unknown_tickets_attachments_and_routes_are_problem_404s(backend: Backend) {
    let app = spawn_app(backend).await;
    file_one(&app).await;
    for (path, code) in [
        ("/api/v1/tickets/S00000000999", "ticket_not_found"),
        ("/api/v1/tickets/not-a-number", "ticket_not_found"),
        (
            "/api/v1/tickets/S00000000001/attachments/selfie",
            "attachment_not_found",
        ),
        (
            "/api/v1/tickets/S00000000002/attachments/ktp_scan",
            "ticket_not_found",
        ),
        ("/api/v1/nothing-here", "route_not_found"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(problem(response).await["code"], code, "{path}");
    }
    let response = app
        .client
        .delete(app.url("/api/v1/tickets/S00000000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    assert_eq!(problem(response).await["code"], "method_not_allowed");
}
