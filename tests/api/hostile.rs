//! Hostile input: what an attacker sends gets a 4xx problem+json naming what is wrong,
//! never a 5xx, and leaves nothing behind.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    list_filters_are_checked_like_intake_text,
    bidirectional_controls_are_refused_in_free_text,
    a_disclosed_secret_is_refused_wherever_people_write,
    only_the_image_of_an_upload_is_stored,
    unusual_but_valid_images_pass_and_an_animation_keeps_its_first_frame,
    an_image_that_is_only_a_valid_header_is_refused_and_nothing_stored,
    a_letter_that_acts_or_hides_is_refused_and_nothing_stored,
    a_letter_built_to_exhaust_the_reader_is_refused_and_the_desk_goes_on,
);

/// A list filter that is not what it claims, the parameter it names and the code.
/// Shared with the hostile-input corpus.
pub(crate) const BAD_LIST_FILTERS: [(&str, &str, &str); 9] = [
    ("q=%00", "q", "text_control_characters"),
    ("q=abc%00def", "q", "text_control_characters"),
    ("q=%E2%80%AEfdp.exe", "q", "text_control_characters"),
    ("service=%00", "service", "service_unknown"),
    ("subtype=%00", "subtype", "subtype_unknown"),
    ("officer=%00", "officer", "nip_format"),
    ("assignee=1990%0005172015031001", "assignee", "nip_format"),
    ("unit=Sekretariat%00Jenderal", "unit", "unit_unknown"),
    ("cursor=%00", "cursor", "required"),
];

async fn list_filters_are_checked_like_intake_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.token(AGENT_NIP, &[certdesk_domain::lifecycle::Role::Agent]);
    let long = "a".repeat(201);
    for (list, token) in [
        ("/api/v1/queues/general/tickets", &agent),
        ("/api/v1/me/tickets", &app.requester_token()),
    ] {
        let too_long = format!("q={long}");
        let cases =
            BAD_LIST_FILTERS
                .iter()
                .copied()
                .chain([(too_long.as_str(), "q", "text_too_long")]);
        for (query, field, code) in cases {
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

/// A PNG chunk: length, type, data, CRC.
pub(crate) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&body);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
    out
}

async fn only_the_image_of_an_upload_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let scan = png(448, 290);
    // A PDF with a script in a text chunk, a position in EXIF, and a page after the end.
    let ihdr_end = 8 + 12 + 13;
    let mut polyglot = scan[..ihdr_end].to_vec();
    polyglot.extend(chunk(b"tEXt", b"Comment\0%PDF-1.7 /OpenAction /JavaScript"));
    polyglot.extend(chunk(b"eXIf", b"MM\0*GPS 6.1754 S 106.8272 E"));
    polyglot.extend_from_slice(&scan[ihdr_end..]);
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let mut files = all_files();
    files[0] = (
        "ktp_scan",
        file_part(polyglot.clone(), "ktp.png", "image/png"),
    );
    let (number, _) = file(&app, ticket_json("15.1"), files).await;
    let stored = app
        .get(&format!("/api/v1/tickets/{number}/attachments/ktp_scan"))
        .await
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&stored);
    for gone in ["%PDF", "JavaScript", "GPS", "<html>", "script"] {
        assert!(!text.contains(gone), "{gone} was stored");
    }
    assert_eq!(&stored[..], &scan[..], "exactly the image, byte for byte");
    let ticket: serde_json::Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ticket["attachments"][0]["byte_size"],
        scan.len(),
        "the size of what is kept"
    );
}

async fn an_image_that_is_only_a_valid_header_is_refused_and_nothing_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let whole = png(448, 290);
    let truncated = whole[..whole.len() - 40].to_vec();
    let jpeg_half = {
        let full = jpeg(300, 120);
        full[..full.len() / 2].to_vec()
    };
    let mut files = all_files();
    files[0] = ("ktp_scan", file_part(truncated, "ktp.png", "image/png"));
    files[1] = (
        "signature_scan",
        file_part(jpeg_half, "ttd.jpg", "image/jpeg"),
    );
    let body = problem(app.post_ticket(form(&ticket_json("15.1"), files)).await).await;
    assert_eq!(
        errors(&body),
        [
            ("ktp_scan".to_owned(), "attachment_corrupt".to_owned()),
            ("signature_scan".to_owned(), "attachment_corrupt".to_owned())
        ]
    );
    assert_eq!(app.count("tickets").await, 0);
    assert_eq!(app.stored_files(), 0);
}

/// Sends the head of a multipart request and `sent` of its body over a raw connection,
/// then stalls (or trickles `trickle` bytes a second), and returns the status line.
pub(crate) async fn stalled_upload(
    app: &TestApp,
    length: usize,
    sent: usize,
    trickle: bool,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {length}\r\n\r\n",
        app.requester_token()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"ktp_scan\"\r\n\r\n".to_vec();
    body.resize(sent, b'a');
    stream.write_all(&body).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickling = tokio::spawn(async move {
        if trickle {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                if writer.write_all(b"a").await.is_err() {
                    break;
                }
            }
        }
        writer
    });
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), reader.read(&mut answer))
        .await
        .expect("an answer, not a hang")
        .unwrap();
    trickling.abort();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_stalled_or_trickled_body_gets_408_in_time() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.limits.body_idle_secs = 1;
        s.limits.body_total_secs = 3;
    })
    .await;
    let started = std::time::Instant::now();
    let stalled = stalled_upload(&app, 100_000, 2_000, false).await;
    assert!(stalled.contains(" 408 "), "{stalled}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Never idle for a second, but slower than the whole body may take.
    let started = std::time::Instant::now();
    let trickled = stalled_upload(&app, 100_000, 2_000, true).await;
    assert!(trickled.contains(" 408 "), "{trickled}");
    let took = started.elapsed();
    assert!(
        took >= std::time::Duration::from_secs(3) && took < std::time::Duration::from_secs(8),
        "{took:?}"
    );
    assert_eq!(app.count("tickets").await, 0);
}

#[tokio::test]
async fn uploads_beyond_the_in_flight_budget_get_503_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.limits.max_body_bytes = 1024 * 1024;
        s.limits.uploads_in_flight_bytes = 1024 * 1024;
        s.limits.body_idle_secs = 2;
    })
    .await;
    // One upload of 900 KB holds most of the budget while it stalls…
    let holder = {
        let address = app.address.clone();
        let token = app.requester_token();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let host = address.trim_start_matches("http://").to_owned();
            let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            let head = format!(
                "POST /api/v1/tickets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 900000\r\n\r\n--XyZ\r\n"
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            stream
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // …so another that declares 500 KB does not fit: refused before a byte is read.
    let refused = app
        .post_ticket(form(
            &ticket_json("15.1"),
            vec![(
                "ktp_scan",
                file_part(vec![b'x'; 500_000], "a.png", "image/png"),
            )],
        ))
        .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "2");
    let body = problem(refused).await;
    assert_eq!(body["code"], "server_busy");
    drop(holder.await);
    // Once the stalled one is gone (408 after its idle gap), there is room again.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let admitted = app
        .post_ticket(form(&ticket_json("15.1"), all_files()))
        .await;
    assert_eq!(admitted.status(), 201, "{:?}", admitted.text().await);
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

/// A letter whose catalog has `catalog_extra`, with `more` objects after its one page
/// (numbered from 5), and `trailer_extra` in its trailer.
pub(crate) fn letter_with(catalog_extra: &str, more: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        pdf_stream("", b"BT /F1 12 Tf 72 770 Td (Surat sintetis) Tj ET"),
    ];
    objects.extend_from_slice(more);
    pdf_of(&objects, trailer_extra)
}

/// A letter of `count` pages.
pub(crate) fn letter_of_pages(count: usize) -> Vec<u8> {
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", i + 3)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            kids.join(" ")
        )
        .into_bytes(),
    ];
    for _ in 0..count {
        objects.push(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec());
    }
    pdf_of(&objects, "")
}

fn deflated(content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}

/// Files `letter` as the recommendation letter, and checks it before filing,
/// and expects `code` for it; nothing may be stored.
async fn expect_letter_refused(app: &TestApp, name: &str, letter: Vec<u8>, code: &str) {
    let mut files = all_files();
    files[2] = (
        "recommendation_letter",
        file_part(letter.clone(), "surat.pdf", "application/pdf"),
    );
    let response = app.post_ticket(form(&ticket_json("15.1"), files)).await;
    assert_eq!(response.status(), 422, "{name}");
    let body = problem(response).await;
    assert_eq!(
        errors(&body),
        [("recommendation_letter".to_owned(), code.to_owned())],
        "{name}: {body}"
    );
    let text = body.to_string();
    assert!(
        text.contains("PDF") || code != "attachment_corrupt",
        "{name}: {text}"
    );
    let mut files = all_files();
    files[2] = (
        "recommendation_letter",
        file_part(letter, "surat.pdf", "application/pdf"),
    );
    let checked = app.validate_ticket(form(&ticket_json("15.1"), files)).await;
    assert_eq!(checked.status(), 200, "{name}");
    let checked: serde_json::Value = checked.json().await.unwrap();
    assert_eq!(checked["valid"], false, "{name}");
    assert_eq!(
        errors(&checked),
        [("recommendation_letter".to_owned(), code.to_owned())],
        "{name}: the check before filing"
    );
    assert_eq!(app.count("tickets").await, 0, "{name}");
    assert_eq!(app.stored_files(), 0, "{name}");
}

/// Letters the desk refuses, each with the code it refuses it by: what acts, what hides,
/// what is broken. Shared with the hostile-input corpus.
pub(crate) fn refused_letters() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let script = b"<< /Type /Action /S /JavaScript /JS (app.alert('sintetis')) >>".to_vec();
    let embedded = pdf_stream("/Type /EmbeddedFile", b"MZ synthetic payload");
    vec![
        (
            "a script run on opening",
            letter_with("/OpenAction 5 0 R", &[script], ""),
            "attachment_active_content",
        ),
        (
            "a program launched on opening",
            letter_with("/OpenAction << /S /Launch /F (cmd.exe) >>", &[], ""),
            "attachment_active_content",
        ),
        (
            "a file carried inside",
            letter_with(
                "/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
                &[
                    embedded,
                    b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>".to_vec(),
                ],
                "",
            ),
            "attachment_active_content",
        ),
        (
            "a form that sends itself away",
            letter_with(
                "/AcroForm << /Fields [] /XFA 5 0 R >>",
                &[pdf_stream("", b"<xdp:xdp/>")],
                "",
            ),
            "attachment_active_content",
        ),
        (
            "a script run when a page opens, packed in a compressed object stream",
            letter_with_packed_page("/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >>", 100),
            "attachment_active_content",
        ),
        (
            "a web address opened with the letter",
            letter_with(
                "/OpenAction << /S /URI /URI (http://example.invalid/) >>",
                &[],
                "",
            ),
            "attachment_active_content",
        ),
        (
            "a letter locked with a password",
            letter_with(
                "",
                &[b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <00> /U <00> >>".to_vec()],
                "/Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]",
            ),
            "attachment_encrypted",
        ),
        (
            "a PDF header over noise",
            b"%PDF-1.7\n\x00\x01\x02 this is not a document at all \xff\xfe".to_vec(),
            "attachment_corrupt",
        ),
        (
            "a document without a page",
            pdf_of(
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
                ],
                "",
            ),
            "attachment_corrupt",
        ),
        (
            "a letter of 21 pages",
            letter_of_pages(21),
            "attachment_too_many_pages",
        ),
    ]
}

async fn a_letter_that_acts_or_hides_is_refused_and_nothing_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    for (name, letter, code) in refused_letters() {
        expect_letter_refused(&app, name, letter, code).await;
    }
    // Twenty pages is a letter with its annexes.
    let mut files = all_files();
    files[2] = (
        "recommendation_letter",
        file_part(letter_of_pages(20), "surat.pdf", "application/pdf"),
    );
    let response = app.post_ticket(form(&ticket_json("15.1"), files)).await;
    assert_eq!(response.status(), 201);
}

/// A PDF 1.5 letter whose page (object 3) lives in a compressed object stream followed by
/// `padding` bytes of blanks, as office suites write them: the reader must inflate the
/// stream to find the page.
pub(crate) fn letter_with_page_in_object_stream(padding: usize) -> Vec<u8> {
    letter_with_packed_page("", padding)
}

/// The same, with `page_extra` in the packed page's dictionary.
pub(crate) fn letter_with_packed_page(page_extra: &str, padding: usize) -> Vec<u8> {
    let mut packed =
        format!("3 0 << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {page_extra} >>")
            .into_bytes();
    packed.resize(packed.len() + padding, b' ');
    let packed = deflated(&packed);
    let mut out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = [0usize; 6];
    fn object(out: &mut Vec<u8>, offsets: &mut [usize], number: usize, body: &[u8]) {
        offsets[number] = out.len();
        out.extend(format!("{number} 0 obj\n").bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    object(
        &mut out,
        &mut offsets,
        1,
        b"<< /Type /Catalog /Pages 2 0 R >>",
    );
    object(
        &mut out,
        &mut offsets,
        2,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    );
    object(
        &mut out,
        &mut offsets,
        4,
        &pdf_stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &packed),
    );
    // The cross-reference stream: type, offset or container, generation or index.
    let xref_at = out.len();
    let mut entries = Vec::new();
    for (kind, field, index) in [
        (0u8, 0u32, 65535u16),
        (1, offsets[1] as u32, 0),
        (1, offsets[2] as u32, 0),
        (2, 4, 0),
        (1, offsets[4] as u32, 0),
        (1, xref_at as u32, 0),
    ] {
        entries.push(kind);
        entries.extend(field.to_be_bytes());
        entries.extend(index.to_be_bytes());
    }
    object(
        &mut out,
        &mut offsets,
        5,
        &pdf_stream("/Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R", &entries),
    );
    out.extend(format!("startxref\n{xref_at}\n%%EOF\n").bytes());
    out
}

async fn a_letter_built_to_exhaust_the_reader_is_refused_and_the_desk_goes_on(backend: Backend) {
    let app = spawn_app(backend).await;
    // Packed with 1 GiB of blanks, deflated to about a megabyte.
    let bomb_letter = letter_with_page_in_object_stream(1 << 30);
    assert!(bomb_letter.len() < 5 << 20, "{}", bomb_letter.len());
    // Arrays nested two hundred thousand deep: a recursive parser runs out of stack.
    let mut deep = b"<< /Type /Catalog /Pages 2 0 R /Nested ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 200_000));
    deep.extend(std::iter::repeat_n(b']', 200_000));
    deep.extend(b" >>");
    let deep_letter = pdf_of(
        &[
            deep,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        ],
        "",
    );
    for (name, letter) in [
        ("an inflation bomb", bomb_letter),
        ("nesting without end", deep_letter),
    ] {
        let mut files = all_files();
        files[2] = (
            "recommendation_letter",
            file_part(letter, "surat.pdf", "application/pdf"),
        );
        let response = app.post_ticket(form(&ticket_json("15.1"), files)).await;
        assert_eq!(response.status(), 422, "{name}");
        let body = problem(response).await;
        let codes = errors(&body);
        assert_eq!(codes.len(), 1, "{name}: {body}");
        assert_eq!(codes[0].0, "recommendation_letter", "{name}: {body}");
        assert!(
            ["attachment_too_complex", "attachment_corrupt"].contains(&codes[0].1.as_str()),
            "{name}: {body}"
        );
        assert_eq!(app.count("tickets").await, 0, "{name}");
        assert_eq!(app.stored_files(), 0, "{name}");
    }
    // The desk itself never noticed, and the same letter with its page packed as usual
    // is a letter.
    let mut files = all_files();
    files[2] = (
        "recommendation_letter",
        file_part(
            letter_with_page_in_object_stream(1000),
            "surat.pdf",
            "application/pdf",
        ),
    );
    let packed = app.post_ticket(form(&ticket_json("15.1"), files)).await;
    assert_eq!(packed.status(), 201, "{:?}", packed.text().await);
}

/// Images made by `tests/fixtures/images/make.py`: valid, if not what most cameras write.
pub(crate) const UNUSUAL_IMAGES: &[&str] = &[
    "interlaced.png",
    "sixteen-bit.png",
    "palette.png",
    "grey-alpha.png",
    "animated.png",
    "progressive.jpg",
    "cmyk.jpg",
    "greyscale.jpg",
    "restart-intervals.jpg",
    "subsampled-444.jpg",
];

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/images/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn unusual_but_valid_images_pass_and_an_animation_keeps_its_first_frame(backend: Backend) {
    let app = spawn_app(backend).await;
    for name in UNUSUAL_IMAGES {
        let mime = if name.ends_with(".png") {
            "image/png"
        } else {
            "image/jpeg"
        };
        for slot in [0, 1, 3] {
            let mut files = all_files();
            files[slot].1 = file_part(fixture(name), name, mime);
            let report: serde_json::Value = app
                .validate_ticket(form(&ticket_json("15.1"), files))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(report["valid"], true, "{name} as part {slot}: {report}");
        }
    }
    // Stored, an animation is its first frame: the frames after it are dropped.
    let animated = fixture("animated.png");
    let mut files = all_files();
    files[0].1 = file_part(animated.clone(), "ktp.png", "image/png");
    let (number, _) = file(&app, ticket_json("15.1"), files).await;
    let stored = app
        .get(&format!("/api/v1/tickets/{number}/attachments/ktp_scan"))
        .await
        .bytes()
        .await
        .unwrap();
    for chunk in [&b"acTL"[..], b"fcTL", b"fdAT"] {
        assert!(
            !stored.windows(4).any(|w| w == chunk),
            "{} kept",
            String::from_utf8_lossy(chunk)
        );
    }
    let first = image::load_from_memory(&animated).unwrap().to_rgb8();
    let kept = image::load_from_memory(&stored).unwrap().to_rgb8();
    assert_eq!(kept.dimensions(), (448, 290));
    assert!(first == kept, "the first frame's pixels, unchanged");
}
