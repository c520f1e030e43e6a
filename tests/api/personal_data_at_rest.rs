//! What rests on disk: after a ticket's whole life, every byte the desk keeps (a
//! `pg_dump` of its schema or the SQLite files, and every file under the storage folder)
//! is read, and neither the NIK, nor an image's signature or first bytes, nor the EXIF
//! of an upload is found. Every table is also searched as text, so a new table or column
//! that copies the NIK fails here too.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    nothing_personal_rests_in_the_clear,
    a_corrected_nik_rests_sealed_and_is_shown_as_the_nik_is,
);

/// A NIK correction (15.2 data change): the new NIK is sealed with the ticket's own, in
/// no table in the clear, shown in full to staff and masked to the officer, and gone
/// with the ticket's NIK when that is erased.
async fn a_corrected_nik_rests_sealed_and_is_shown_as_the_nik_is(backend: Backend) {
    const CORRECTED: &str = "3174051705900002";
    let app = spawn_app(backend).await;
    let p = people(&app);
    let mut ticket = ticket_json("15.2");
    ticket["subtype"] = json!("data_change");
    ticket["changes"] = json!([{ "field": "nik", "new_value": CORRECTED }]);
    let response = app.post_ticket(form(&ticket, required_files())).await;
    assert_eq!(response.status(), 201);
    let filed: serde_json::Value = response.json().await.unwrap();
    assert_eq!(filed["warnings"][0]["code"], "no_certificate_change_needed");
    assert!(!filed.to_string().contains(CORRECTED));
    let number = filed["number"].as_str().unwrap().to_owned();
    let read = |token: String| {
        let app = &app;
        let number = number.clone();
        async move {
            let ticket: serde_json::Value = app
                .get_as(&token, &format!("/api/v1/tickets/{number}"))
                .await
                .json()
                .await
                .unwrap();
            ticket["changes"][0]["new_value"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(read(p.agent.clone()).await, CORRECTED);
    assert_eq!(read(p.requester.clone()).await, CORRECTED);
    assert_eq!(read(p.officer.clone()).await, "3174********0002");
    assert_eq!(tables_holding(&app, CORRECTED).await, []);

    // Erased with the ticket's NIK: only the masked form stays.
    let store = app.open_store().await;
    let v = walk(
        &app,
        &number,
        1,
        &[(&p.requester, json!({"action": "cancel"}), "cancelled")],
    )
    .await;
    assert!(v > 1);
    let later = chrono::Utc::now() + chrono::Duration::days(400);
    assert_eq!(
        store
            .purge_due(
                &certdesk_domain::retention::RetentionPolicy::default(),
                later
            )
            .await
            .unwrap()
            .niks,
        1
    );
    assert_eq!(read(p.agent.clone()).await, "3174********0002");
}

async fn tables_holding(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    let backend = app.db.get_database_backend();
    let query = |sql: String| Statement::from_string(backend, sql);
    let tables: Vec<String> = match backend {
        sea_orm::DatabaseBackend::Postgres => app
            .db
            .query_all_raw(query(
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                    .into(),
            ))
            .await
            .unwrap(),
        _ => app
            .db
            .query_all_raw(query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    .into(),
            ))
            .await
            .unwrap(),
    }
    .into_iter()
    .map(|row| row.try_get::<String>("", "name").unwrap())
    .collect();
    assert!(tables.len() > 10, "{tables:?}");
    let mut holding = Vec::new();
    for table in tables {
        let condition = match backend {
            // A whole row as text: every column, whatever its type.
            sea_orm::DatabaseBackend::Postgres => format!("x::text LIKE '%{needle}%'"),
            _ => {
                let columns: Vec<String> = app
                    .db
                    .query_all_raw(query(format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    )))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|row| row.try_get::<String>("", "name").unwrap())
                    .collect();
                columns
                    .iter()
                    .map(|column| format!("CAST(x.\"{column}\" AS TEXT) LIKE '%{needle}%'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            }
        };
        let row = app
            .db
            .query_one_raw(query(format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" x WHERE {condition}"
            )))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get("", "n").unwrap();
        if count > 0 {
            holding.push((table, count));
        }
    }
    holding
}

async fn nothing_personal_rests_in_the_clear(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut server = crate::mail_server::MailServer::start();
    put_agent_in_directory(&app).await;
    let p = people(&app);

    // A filing with an idempotency key (its response is remembered), a refused one that
    // quotes the NIK in free text, a walk with reasons and comments, staff reading the
    // ticket (an audit row), a download, and the emails sent.
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.requester_token())
        .header("Idempotency-Key", "a7c1e2d4-0000-4000-8000-000000000001")
        .multipart(form(&ticket_json("15.1"), files_with_exif()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let number = response.json::<serde_json::Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut quoting = ticket_json("15.1");
    quoting["description"] = json!(format!("NIK saya {REQUESTER_NIK}\u{0000}"));
    assert_eq!(
        app.post_ticket(form(&quoting, all_files())).await.status(),
        422
    );
    let officer = app.token(OFFICER_NIP, &[Role::Officer]);
    let v = walk(
        &app,
        &number,
        1,
        &[(&officer, json!({"action": "endorse"}), "submitted")],
    )
    .await;
    walk(
        &app,
        &number,
        v,
        &[
            (&p.agent, json!({"action": "claim"}), "in_review"),
            (
                &p.agent,
                json!({"action": "request_information", "reason": "Mohon cek NIK pada KTP."}),
                "awaiting_requester",
            ),
        ],
    )
    .await;
    assert_eq!(
        app.get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
            .await
            .status(),
        200
    );
    let mut served = Vec::new();
    for kind in ["ktp_scan", "signature_scan", "recommendation_letter"] {
        let response = app
            .get_as(
                &p.agent,
                &format!("/api/v1/tickets/{number}/attachments/{kind}"),
            )
            .await;
        assert_eq!(response.status(), 200);
        served.push(response.bytes().await.unwrap().to_vec());
    }
    assert!(
        served[0].starts_with(b"\xFF\xD8\xFF"),
        "the KTP scan is a JPEG"
    );
    worker(&app, &worker_settings(server.port))
        .await
        .drain()
        .await
        .unwrap();
    assert!(server.count() > 0, "emails were sent");

    // The desk still knows the NIK: staff see it, opened from its sealed form.
    let shown: serde_json::Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["requester"]["nik"], REQUESTER_NIK);

    assert_eq!(tables_holding(&app, REQUESTER_NIK).await, []);
    // Staff saw the NIK four times (two actions' answers, two reads) and downloaded three
    // files, and the audit says so without repeating the NIK.
    assert_eq!(app.count("audit_log").await, 7);

    let mut needles: Vec<(&str, Vec<u8>)> = vec![
        ("the NIK", REQUESTER_NIK.as_bytes().to_vec()),
        ("a PNG signature", b"\x89PNG\r\n\x1a\n".to_vec()),
        ("a JFIF header", b"JFIF\0".to_vec()),
        ("an EXIF header", b"Exif\0\0".to_vec()),
        ("the camera in the EXIF", CAMERA.as_bytes().to_vec()),
        ("a PDF header", b"%PDF-".to_vec()),
    ];
    for (what, file) in [
        ("the KTP scan", &served[0]),
        ("the signature", &served[1]),
        ("the letter", &served[2]),
    ] {
        needles.push((what, file[..24].to_vec()));
    }
    // A dump shows binary columns as hex: look for that spelling too.
    let hex_needles: Vec<(String, Vec<u8>)> = needles
        .iter()
        .map(|(what, bytes)| (format!("{what} (as hex)"), hex::encode(bytes).into_bytes()))
        .collect();

    let mut haystacks: Vec<(String, Vec<u8>)> = Vec::new();
    match backend {
        Backend::Postgres => {
            let schema = app.store_settings.database.schema.clone().unwrap();
            let dump = std::process::Command::new("pg_dump")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-n", &schema, "test"])
                .output()
                .expect("pg_dump runs");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            assert!(dump.stdout.len() > 10_000, "a dump with the data in it");
            haystacks.push(("pg_dump".into(), dump.stdout));
        }
        Backend::Sqlite => {
            let dir = app.storage.parent().unwrap();
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.contains(".db") {
                    haystacks.push((name, std::fs::read(entry.path()).unwrap()));
                }
            }
            assert!(!haystacks.is_empty(), "the SQLite files are found");
        }
    }
    fn collect(dir: &std::path::Path, into: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                collect(&entry.path(), into);
            } else {
                into.push((
                    entry.path().display().to_string(),
                    std::fs::read(entry.path()).unwrap(),
                ));
            }
        }
    }
    let before = haystacks.len();
    collect(&app.storage, &mut haystacks);
    assert_eq!(haystacks.len() - before, 5, "the five attachment files");

    for (place, bytes) in &haystacks {
        for (what, needle) in needles
            .iter()
            .map(|(w, n)| (w.to_string(), n))
            .chain(hex_needles.iter().map(|(w, n)| (w.clone(), n)))
        {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{what} is in {place}"
            );
        }
    }
}

const CAMERA: &str = "SyntheticCam KTP-9";

/// Every attachment, with a KTP scan that is a JPEG carrying an EXIF segment (a camera
/// and a position), as a phone would send it.
fn files_with_exif() -> Vec<(&'static str, reqwest::multipart::Part)> {
    let plain = jpeg(448, 290);
    let mut exif = b"Exif\0\0MM\0*".to_vec();
    exif.extend_from_slice(CAMERA.as_bytes());
    exif.extend_from_slice(b" GPS 6.1754 S 106.8272 E");
    let mut scan = plain[..2].to_vec();
    scan.extend_from_slice(&[0xFF, 0xE1]);
    scan.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    scan.extend_from_slice(&exif);
    scan.extend_from_slice(&plain[2..]);
    let mut files = all_files();
    files[0] = ("ktp_scan", file_part(scan, "ktp.jpg", "image/jpeg"));
    files
}
