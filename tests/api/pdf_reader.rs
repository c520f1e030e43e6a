//! The PDF reader runs in a child process with its own limits. These tests hold the
//! two halves to their word: the child stops itself at its memory limit, and the server
//! survives a reader that crashes, hangs, floods its output or talks nonsense.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use futures_util::FutureExt;

use crate::helpers::*;

/// A valid one-page letter carrying `noise` bytes in a content stream.
fn letter_with_noise(noise: usize) -> Vec<u8> {
    let mut content = b"BT /F1 12 Tf 72 770 Td (Surat sintetis) Tj ET\n%".to_vec();
    content.extend((0..noise).map(|i| b'a' + (i % 26) as u8));
    pdf_of(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            pdf_stream("", &content),
        ],
        "",
    )
}

/// Runs `certdesk inspect-pdf` on `input` with an address space of `memory_bytes`.
fn inspect(input: &[u8], memory_bytes: u64) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args([
            "inspect-pdf",
            "--cpu-secs",
            "10",
            "--max-bytes",
            "100000000",
        ])
        .arg("--memory-bytes")
        .arg(memory_bytes.to_string())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The child may die before it has read everything: that is what is tested.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn the_reader_stops_itself_at_its_memory_limit() {
    let letter = letter_with_noise(40 << 20);
    let roomy = inspect(&letter, 512 << 20);
    assert!(roomy.status.success(), "{roomy:?}");
    let report: serde_json::Value = serde_json::from_slice(&roomy.stdout).unwrap();
    assert_eq!(report["outcome"], "read");
    assert_eq!(report["pages"], 1);

    let cramped = inspect(&letter, 32 << 20);
    assert!(!cramped.status.success(), "{cramped:?}");
    assert!(
        cramped.stdout.is_empty(),
        "no report from a reader that failed"
    );
}

/// A stand-in reader: misbehaves as a file's marker asks, and otherwise hands the file
/// to the real one. What is under test is the server's supervision, so the crash, hang
/// or flood is the input here.
fn misbehaving_reader(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("reader.sh");
    std::fs::write(
        &path,
        format!(
            r#"#!/bin/sh
tmp=$(/bin/mktemp)
/bin/cat > "$tmp"
marker=$(/bin/grep -a -o -m1 'certdesk-test-[a-z]*' "$tmp")
exec 3<"$tmp"
/bin/rm -f "$tmp"
case "$marker" in
  certdesk-test-crash) /bin/kill -SEGV $$ ;;
  certdesk-test-hang) exec /bin/sleep 60 ;;
  certdesk-test-flood) exec /usr/bin/yes ;;
  certdesk-test-babble) echo '{{"outcome":"read","pages":"many"}}'; exit 0 ;;
  certdesk-test-fail) exit 7 ;;
esac
exec "{real}" "$@" 0<&3 3<&-
"#,
            real = env!("CARGO_BIN_EXE_certdesk")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn a_reader_that_crashes_hangs_or_floods_leaves_the_desk_standing() {
    let dir = tempfile::tempdir().unwrap();
    let reader = misbehaving_reader(dir.path());
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.pdf.reader = Some(reader);
        settings.pdf.timeout_secs = 2;
    })
    .await;
    for marker in ["crash", "hang", "flood", "babble", "fail"] {
        let mut letter = letter_with_noise(100);
        letter.extend(format!("% certdesk-test-{marker}\n").bytes());
        let mut files = all_files();
        files[2] = (
            "recommendation_letter",
            file_part(letter, "surat.pdf", "application/pdf"),
        );
        let started = std::time::Instant::now();
        let response = app.post_ticket(form(&ticket_json("15.1"), files)).await;
        assert_eq!(response.status(), 422, "{marker}");
        assert_eq!(
            errors(&problem(response).await),
            [(
                "recommendation_letter".to_owned(),
                "attachment_too_complex".to_owned()
            )],
            "{marker}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{marker}: {:?}",
            started.elapsed()
        );
        assert_eq!(app.count("tickets").await, 0, "{marker}");
        assert_eq!(app.stored_files(), 0, "{marker}");
    }
    let response = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_reader_that_cannot_read_a_plain_letter_stops_the_desk_from_starting() {
    for (reader, expected) in [
        ("/nonexistent/certdesk", "cannot start the PDF reader"),
        // A path to some other program.
        ("/bin/true", "does not read a plain one-page letter"),
    ] {
        let started = std::panic::AssertUnwindSafe(spawn_app_with(Backend::Sqlite, |settings| {
            settings.pdf.reader = Some(reader.into());
        }))
        .catch_unwind()
        .await;
        let Err(payload) = started else {
            panic!("the desk must not start");
        };
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains(expected), "{message}");
    }
}
