//! Encryption at rest: a file changed on disk is refused whole; the master key rotates
//! without touching file bodies and a running server keeps reading; an old key retires
//! only when nothing needs it; a wrong key file stops the start; and what an older
//! version stored in the clear is sealed on the next start.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use certdesk_domain::lifecycle::Role;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_file_changed_on_disk_is_refused_whole_and_logged_as_an_integrity_failure,
    the_master_key_rotates_without_touching_files_and_the_old_one_retires,
    files_and_niks_stored_in_the_clear_by_an_older_version_are_sealed_on_start,
);

async fn file_id_of(app: &TestApp, number: &str, kind: &str) -> String {
    let sequence: i64 = number[1..].parse().unwrap();
    let backend = app.db.get_database_backend();
    app.db
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT file_id FROM ticket_attachments WHERE ticket_id = {sequence} AND kind = '{kind}'"
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "file_id")
        .unwrap()
}

fn path_of(app: &TestApp, file_id: &str) -> std::path::PathBuf {
    app.storage.join("files").join(&file_id[..2]).join(file_id)
}

async fn a_file_changed_on_disk_is_refused_whole_and_logged_as_an_integrity_failure(
    backend: Backend,
) {
    let (app, server) = spawn_binary(backend, &[]).await;
    let mut files = all_files();
    files[3] = (
        "hris_status_screenshot",
        file_part(noisy_png(400, 300), "hris.png", "image/png"),
    );
    let (number, _) = file(&app, ticket_json("15.1"), files).await;
    let staff = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let url = |kind: &str| format!("/api/v1/tickets/{number}/attachments/{kind}");

    // One bit flipped in the middle of the KTP scan; the screenshot (over one 64 KiB
    // chunk) cut after its first chunk, where a reader that trusted chunk boundaries
    // would see a whole file.
    let ktp = path_of(&app, &file_id_of(&app, &number, "ktp_scan").await);
    let mut bytes = std::fs::read(&ktp).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&ktp, bytes).unwrap();
    let screenshot = path_of(
        &app,
        &file_id_of(&app, &number, "hris_status_screenshot").await,
    );
    let whole = std::fs::read(&screenshot).unwrap();
    assert!(whole.len() > 2 * 65_536, "the screenshot spans chunks");
    std::fs::write(&screenshot, &whole[..25 + 65_536 + 16]).unwrap();

    for kind in ["ktp_scan", "hris_status_screenshot"] {
        let response = app.get_as(&staff, &url(kind)).await;
        assert_eq!(response.status(), 500, "{kind}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "internal_error");
    }
    // The untouched ones are still served whole.
    let letter = app.get_as(&staff, &url("recommendation_letter")).await;
    assert_eq!(letter.status(), 200);
    assert!(letter.bytes().await.unwrap().starts_with(b"%PDF-"));

    let log = server.stop();
    assert_eq!(
        log.matches("integrity failure: stored data did not open, refused")
            .count(),
        2,
        "each refusal is logged as an integrity failure:\n{log}"
    );
}

/// A PNG of noise: it does not compress, so it spans several 64 KiB chunks.
fn noisy_png(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let pixels = image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut png = Vec::new();
    pixels
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

async fn the_master_key_rotates_without_touching_files_and_the_old_one_retires(backend: Backend) {
    let app = spawn_app(backend).await;
    let (number, _) = file(&app, ticket_json("15.1"), all_files()).await;
    let staff = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let ktp_url = format!("/api/v1/tickets/{number}/attachments/ktp_scan");
    let before = app.get_as(&staff, &ktp_url).await.bytes().await.unwrap();
    let bodies: Vec<(String, Vec<u8>)> = app
        .stored_file_paths()
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();

    let listed = String::from_utf8(certdesk_cli(&app, &["keys", "list"]).stdout).unwrap();
    let old_id = listed.split('\t').next().unwrap().to_owned();
    assert!(listed.contains("5 files\t1 NIKs\t(current)"), "{listed}");

    // Retiring the only (current) key is refused, and so is one still in use.
    assert!(
        !certdesk_cli(&app, &["keys", "retire", &old_id])
            .status
            .success()
    );

    let rotated = certdesk_cli(&app, &["keys", "rotate"]);
    let said = String::from_utf8_lossy(&rotated.stdout);
    assert!(
        rotated.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(
        said.contains("rewrapped 5 file keys and resealed 1 NIKs"),
        "{said}"
    );
    for (path, body) in &bodies {
        assert_eq!(&std::fs::read(path).unwrap(), body, "{path} is untouched");
    }

    // The running server has never seen the new key; it reads it when it meets it.
    let after = app.get_as(&staff, &ktp_url).await;
    assert_eq!(after.status(), 200);
    assert_eq!(after.bytes().await.unwrap(), before);
    let ticket: Value = app
        .get_as(&staff, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["requester"]["nik"], REQUESTER_NIK);

    let retired = certdesk_cli(&app, &["keys", "retire", &old_id]);
    assert!(
        retired.status.success(),
        "{}",
        String::from_utf8_lossy(&retired.stderr)
    );
    let listed = String::from_utf8(certdesk_cli(&app, &["keys", "list"]).stdout).unwrap();
    assert!(!listed.contains(&old_id), "{listed}");
    assert_eq!(listed.lines().count(), 1);

    // A key file that is not the one the data was sealed with stops the start, by name.
    std::fs::remove_file(&app.store_settings.encryption.key_file).unwrap();
    std::fs::write(
        &app.store_settings.encryption.key_file,
        format!(
            "index {}\nmaster mk-other {}\n",
            "11".repeat(32),
            "22".repeat(32)
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            &app.store_settings.encryption.key_file,
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let refused = certdesk_cli(&app, &["keys", "list"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("which the configured keys do not hold"),
        "{said}"
    );
}

async fn files_and_niks_stored_in_the_clear_by_an_older_version_are_sealed_on_start(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (number, _) = file(&app, ticket_json("15.1"), all_files()).await;
    let staff = app.token(SUPERVISOR_NIP, &[Role::Supervisor]);
    let ktp_url = format!("/api/v1/tickets/{number}/attachments/ktp_scan");
    let content = app.get_as(&staff, &ktp_url).await.bytes().await.unwrap();

    // Put the ticket back as an older version kept it: the scan under its digest, in the
    // clear, with no key; the NIK in its plain column.
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    let legacy = app.storage.join("sha256").join(&digest[..2]).join(&digest);
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, &content).unwrap();
    let sequence: i64 = number[1..].parse().unwrap();
    for sql in [
        format!(
            "INSERT INTO stored_files (id, content_type, byte_size, width, height, created_at) \
             SELECT '{digest}', content_type, byte_size, width, height, created_at FROM stored_files \
             WHERE id = (SELECT file_id FROM ticket_attachments WHERE ticket_id = {sequence} AND kind = 'ktp_scan')"
        ),
        format!(
            "UPDATE ticket_attachments SET file_id = '{digest}' WHERE ticket_id = {sequence} AND kind = 'ktp_scan'"
        ),
        format!(
            "UPDATE tickets SET requester_nik = '{REQUESTER_NIK}', nik_sealed = NULL, nik_key_id = NULL, \
             nik_index = NULL, nik_masked = NULL WHERE id = {sequence}"
        ),
    ] {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    // Until sealed, the old form still reads.
    assert_eq!(
        app.get_as(&staff, &ktp_url).await.bytes().await.unwrap(),
        content
    );

    app.open_store().await.migrate().await.unwrap();

    assert!(!legacy.exists(), "the clear file is gone");
    let file_id = file_id_of(&app, &number, "ktp_scan").await;
    assert!(uuid::Uuid::parse_str(&file_id).is_ok());
    assert_eq!(
        app.count_where("stored_files", &format!("id = '{digest}'"))
            .await,
        0
    );
    assert_eq!(
        app.count_where("tickets", "requester_nik IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.get_as(&staff, &ktp_url).await.bytes().await.unwrap(),
        content
    );
    let ticket: Value = app
        .get_as(&staff, &format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["requester"]["nik"], REQUESTER_NIK);
    assert_eq!(ticket["attachments"][0]["sha256"], digest.as_str());
}
