//! Tickets that break the rules: every problem in one answer, nothing stored.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_scan_one_pixel_too_wide_or_too_tall_is_refused_with_its_size,
    a_pdf_named_png_is_refused,
    an_email_with_a_hyphen_is_refused,
    manual_issuance_without_the_error_screenshot_is_refused,
    five_problems_get_five_errors_and_nothing_is_stored,
    the_responsible_officer_must_be_known_active_and_of_the_same_unit,
    broken_json_and_unknown_fields_name_the_field,
    bodies_over_the_limit_get_413_and_parts_over_theirs_get_named,
    validate_reports_everything_and_stores_nothing,
    hostile_input_gets_a_4xx_and_leaves_nothing_behind,
    a_streamed_body_without_length_is_cut_off_at_the_limit,
);

async fn assert_nothing_stored(app: &TestApp) {
    for table in [
        "tickets",
        "ticket_attachments",
        "stored_files",
        "ticket_events",
    ] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
    assert_eq!(app.stored_files(), 0, "no attachment file is written");
}

async fn a_scan_one_pixel_too_wide_or_too_tall_is_refused_with_its_size(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut files = all_files();
    files[0] = ("ktp_scan", png_part(449, 290));
    files[1] = ("signature_scan", jpeg_part(448, 291));
    let body = problem(app.post_ticket(form(&ticket_json("15.1"), files)).await).await;
    assert_eq!(body["status"], 422);
    assert_eq!(
        errors(&body),
        [
            ("ktp_scan".into(), "attachment_dimensions".into()),
            ("signature_scan".into(), "attachment_dimensions".into())
        ]
    );
    assert!(
        body["errors"][0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("449×290")
    );
    assert!(
        body["errors"][1]["message"]["id"]
            .as_str()
            .unwrap()
            .contains("448×291")
    );
    assert_nothing_stored(&app).await;
}

async fn a_pdf_named_png_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut files = all_files();
    files[0] = ("ktp_scan", file_part(pdf(), "ktp.png", "image/png"));
    let body = problem(app.post_ticket(form(&ticket_json("15.1"), files)).await).await;
    assert_eq!(
        errors(&body),
        [("ktp_scan".into(), "attachment_type".into())]
    );
    assert!(
        body["errors"][0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("PDF")
    );
    assert_nothing_stored(&app).await;
}

async fn an_email_with_a_hyphen_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["email"] = json!("andi-contoh@kemenkeu.go.id");
    let body = problem(app.post_ticket(form(&ticket, all_files())).await).await;
    assert_eq!(
        errors(&body),
        [("requester.email".into(), "email_hyphen".into())]
    );
    assert_nothing_stored(&app).await;
}

async fn manual_issuance_without_the_error_screenshot_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = problem(
        app.post_ticket(form(&ticket_json("15.1"), required_files()))
            .await,
    )
    .await;
    assert_eq!(
        errors(&body),
        [("error_screenshot".into(), "attachment_missing".into())]
    );
    assert_nothing_stored(&app).await;
}

async fn five_problems_get_five_errors_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["nip"] = json!("19900517201503100");
    ticket["requester"]["email"] = json!("andi-contoh@kemenkeu.go.id");
    ticket["requester"]["position"] = json!("Kasubbag (TU)");
    ticket["description"] = json!("PIN: 123456");
    // ...and the error screenshot, mandatory for 15.1, is left out.
    let body = problem(app.post_ticket(form(&ticket, required_files())).await).await;
    let expected: Vec<(String, String)> = [
        ("requester.nip", "nip_format"),
        ("requester.email", "email_hyphen"),
        ("requester.position", "position_characters"),
        ("description", "secret_in_text"),
        ("error_screenshot", "attachment_missing"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(errors(&body), expected);
    for error in body["errors"].as_array().unwrap() {
        assert!(!error["message"]["id"].as_str().unwrap().is_empty());
        assert!(!error["message"]["en"].as_str().unwrap().is_empty());
    }
    assert_nothing_stored(&app).await;
}

async fn the_responsible_officer_must_be_known_active_and_of_the_same_unit(backend: Backend) {
    let app = spawn_app(backend).await;
    for (nip, code) in [
        ("198812312015031001", "officer_unknown"),
        (INACTIVE_OFFICER_NIP, "officer_inactive"),
        (OTHER_UNIT_OFFICER_NIP, "officer_other_unit"),
        (REQUESTER_NIP, "officer_is_requester"),
    ] {
        let mut ticket = ticket_json("15.1");
        ticket["responsible_officer_nip"] = json!(nip);
        let body = problem(app.post_ticket(form(&ticket, all_files())).await).await;
        assert_eq!(
            errors(&body),
            [("responsible_officer_nip".into(), code.into())],
            "{nip}"
        );
    }
    assert_nothing_stored(&app).await;
}

async fn broken_json_and_unknown_fields_name_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let send = |ticket: String| {
        let form = all_files().into_iter().fold(
            reqwest::multipart::Form::new().text("ticket", ticket),
            |f, (n, p)| f.part(n, p),
        );
        app.post_ticket(form)
    };
    let body = problem(send("{\"service\": ".into()).await).await;
    assert_eq!(errors(&body), [("ticket".into(), "invalid_json".into())]);

    let mut ticket = ticket_json("15.1");
    ticket["requester"]["colour"] = json!("blue");
    let body = problem(send(ticket.to_string()).await).await;
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    assert!(
        body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("requester"),
        "{body}"
    );

    let mut ticket = ticket_json("15.1");
    ticket["requester"]["nip"] = json!(199005172015031001u64);
    let body = problem(send(ticket.to_string()).await).await;
    assert_eq!(
        errors(&body),
        [("requester.nip".into(), "invalid_json".into())]
    );

    let body = problem(
        app.post_ticket(reqwest::multipart::Form::new().part("ktp_scan", png_part(10, 10)))
            .await,
    )
    .await;
    assert_eq!(errors(&body), [("ticket".into(), "required".into())]);
    assert_nothing_stored(&app).await;
}

async fn bodies_over_the_limit_get_413_and_parts_over_theirs_get_named(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.max_part_bytes = 200_000;
        s.limits.max_body_bytes = 1_000_000;
    })
    .await;
    let mut files = all_files();
    files[3] = (
        "hris_status_screenshot",
        file_part(vec![0x89; 300_000], "big.png", "image/png"),
    );
    let body = problem(app.post_ticket(form(&ticket_json("15.1"), files)).await).await;
    assert_eq!(
        errors(&body),
        [(
            "hris_status_screenshot".into(),
            "attachment_too_large".into()
        )]
    );

    let mut files = all_files();
    files.push((
        "unknown_extra",
        file_part(vec![0; 1_200_000], "x.bin", "application/octet-stream"),
    ));
    let response = app.post_ticket(form(&ticket_json("15.1"), files)).await;
    assert_eq!(response.status(), 413);
    let body = problem(response).await;
    assert_eq!(body["code"], "payload_too_large");
    assert_nothing_stored(&app).await;
}

async fn validate_reports_everything_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .validate_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], true);

    let mut ticket = ticket_json("15.3");
    ticket["reason"] = json!("other");
    let response = app.validate_ticket(form(&ticket, required_files())).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(
        errors(&report),
        [("reason_detail".into(), "reason_detail_required".into())]
    );
    assert_nothing_stored(&app).await;
}

async fn hostile_input_gets_a_4xx_and_leaves_nothing_behind(backend: Backend) {
    let app = spawn_app(backend).await;

    // PostgreSQL cannot store NUL: it must be a rule, not a 500 (and no orphan files).
    let mut ticket = ticket_json("15.1");
    ticket["description"] = json!("Gagal daftar\u{0000}");
    let body = problem(app.post_ticket(form(&ticket, all_files())).await).await;
    assert_eq!(
        errors(&body),
        [("description".into(), "text_control_characters".into())]
    );

    // A NIK sent as a number is refused without being quoted back.
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["nik"] = json!(3174051705900001u64);
    let text = app
        .post_ticket(form(&ticket, all_files()))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("invalid_json") && !text.contains("3174051705900001"),
        "{text}"
    );

    let mut ticket = ticket_json("15.1");
    ticket["reason_detail"] = json!("tidak berlaku");
    let body = problem(app.post_ticket(form(&ticket, all_files())).await).await;
    assert_eq!(
        errors(&body),
        [("reason_detail".into(), "reason_not_applicable".into())]
    );

    // A flood of tiny parts is cut off, not answered with thousands of problems.
    let mut flood = form(&ticket_json("15.1"), all_files());
    for i in 0..200 {
        flood = flood.text(format!("x{i}"), "");
    }
    let body = problem(app.post_ticket(flood).await).await;
    assert_eq!(errors(&body), [("body".into(), "too_many_parts".into())]);

    assert_nothing_stored(&app).await;
}

async fn a_streamed_body_without_length_is_cut_off_at_the_limit(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.max_part_bytes = 200_000;
        s.limits.max_body_bytes = 1_000_000;
    })
    .await;
    // A part of unknown length: the request goes out chunked, with no Content-Length,
    // so only the budget kept while reading can stop it.
    let chunks = futures_util::stream::iter(
        (0..40).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![0u8; 64 * 1024]))),
    );
    let endless =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(chunks)).file_name("x.bin");
    let form = form(&ticket_json("15.1"), all_files()).part("unknown_extra", endless);
    let response = app.post_ticket(form).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem(response).await["code"], "payload_too_large");
    assert_nothing_stored(&app).await;
}
