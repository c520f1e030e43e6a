//! The hostile-input corpus: what an attacker, a broken client or a careless paste sends,
//! case by case, to the real `certdesk serve` on each backend. Every case gets a 4xx
//! problem+json (or a documented 408/413/429), never a 5xx or a hang; a refused filing
//! stores no row and no file. Valid but unusual input is in the corpus too, and must
//! pass. Then the server's whole log is read: no NIK, no passphrase, no stack trace, and
//! nothing at ERROR, since every case is the client's doing.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hostile::{
    BAD_LIST_FILTERS, UNUSUAL_IMAGES, chunk, fixture, letter_with_packed_page, refused_letters,
    stalled_upload,
};
use crate::on_both_backends;

on_both_backends!(every_case_in_the_corpus_is_refused_cleanly_and_the_log_stays_clean);

/// Disclosures the desk must refuse, and must never write down.
const SECRETS: &[&str] = &[
    "PIN saya 123456 tolong direset",
    "passphrase saya J2sP$ntH mohon dicek",
    "pin ds 998877 tidak bisa dipakai",
    "passphrasenya Merdeka45! sudah saya ganti",
    "pass\u{200B}phrase saya Zr8#kLm2q",
    "\u{0440}\u{0430}ssphrase saya Hq5$wErt9",
    "PIN\u{FF1A}445566",
    "kata sandi saya Rahasia#2024",
    "my password is Qw3rty!23x",
    "sandi ku 7788 untuk tanda tangan",
];

/// What in a secret is distinctive enough to search the log for.
const SECRET_VALUES: &[&str] = &[
    "J2sP$ntH",
    "Merdeka45!",
    "Zr8#kLm2q",
    "Hq5$wErt9",
    "Rahasia#2024",
    "Qw3rty!23x",
    "PIN saya 123456",
    "pin ds 998877",
];

enum Who {
    Requester,
    Agent,
    Bearer(String),
    Raw(&'static str),
}

enum Request {
    /// A 15.1 filing as the requester: the ticket, and `files` over the valid set.
    File {
        ticket: Value,
        files: Vec<(&'static str, Vec<u8>, &'static str)>,
    },
    /// The same body, to `/tickets/validate`: the answer is 200 with `valid`.
    Validate {
        files: Vec<(&'static str, Vec<u8>, &'static str)>,
    },
    Get {
        path: String,
        who: Who,
    },
    Post {
        path: &'static str,
        content_type: &'static str,
        body: Vec<u8>,
        who: Who,
    },
    /// A comment on the corpus's own ticket, as its requester.
    Comment {
        body: String,
    },
    /// A body that stalls (or trickles) after its first bytes.
    Stall {
        trickle: bool,
    },
}

enum Expect {
    /// This status, a problem+json body and, when given, this field and code among its
    /// errors.
    Refused(u16, Option<(&'static str, &'static str)>),
    /// `/tickets/validate` answers that everything passed.
    Valid,
    /// A documented status line on a raw connection.
    Status(u16),
}

struct Case {
    name: String,
    request: Request,
    expect: Expect,
}

fn case(name: impl Into<String>, request: Request, expect: Expect) -> Case {
    Case {
        name: name.into(),
        request,
        expect,
    }
}

fn refused(status: u16, field: &'static str, code: &'static str) -> Expect {
    Expect::Refused(status, Some((field, code)))
}

fn with_file(slot: &'static str, bytes: Vec<u8>, mime: &'static str) -> Request {
    Request::File {
        ticket: ticket_json("15.1"),
        files: vec![(slot, bytes, mime)],
    }
}

fn with_text(field: &str, text: &str) -> Request {
    let mut ticket = ticket_json("15.1");
    ticket[field] = json!(text);
    Request::File {
        ticket,
        files: Vec::new(),
    }
}

/// A PNG whose chunks after the header are `chunks`.
fn png_with(width: u32, height: u32, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    for c in chunks {
        out.extend(c);
    }
    out.extend(chunk(b"IEND", b""));
    out
}

fn zlib(content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}

fn noise(length: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..length)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}

fn image_cases() -> Vec<Case> {
    let png_ok = png(448, 290);
    let jpeg_ok = jpeg(300, 120);
    let mut bad_crc = png_ok.clone();
    let crc_at = 8 + 25 + 8 + 4; // inside the first IDAT's data
    bad_crc[crc_at] ^= 0xff;
    let sos = jpeg_ok.windows(2).position(|w| w == [0xff, 0xda]).unwrap();
    let mut noisy_scan = jpeg_ok[..sos + 14].to_vec();
    noisy_scan.extend(
        noise(4000, 7)
            .iter()
            .map(|b| if *b == 0xff { 0 } else { *b }),
    );
    noisy_scan.extend([0xff, 0xd9]);
    let ztxt_bomb = {
        let mut data = b"Comment\0\0".to_vec();
        data.extend(zlib(&vec![b'A'; 64 << 20]));
        chunk(b"zTXt", &data)
    };
    let iccp_bomb = {
        let mut data = b"sRGB\0\0".to_vec();
        data.extend(zlib(&vec![0u8; 64 << 20]));
        chunk(b"iCCP", &data)
    };
    let idat = chunk(b"IDAT", &zlib(&vec![0u8; 290 * 449]));
    vec![
        case(
            "a PNG cut short inside its data",
            with_file(
                "ktp_scan",
                png_ok[..png_ok.len() - 40].to_vec(),
                "image/png",
            ),
            refused(422, "ktp_scan", "attachment_corrupt"),
        ),
        case(
            "a PNG header over random compressed data",
            with_file(
                "ktp_scan",
                png_with(448, 290, &[chunk(b"IDAT", &noise(20_000, 1))]),
                "image/png",
            ),
            refused(422, "ktp_scan", "attachment_corrupt"),
        ),
        case(
            "a PNG with a wrong checksum",
            with_file("ktp_scan", bad_crc, "image/png"),
            refused(422, "ktp_scan", "attachment_corrupt"),
        ),
        case(
            "a JPEG cut in half",
            with_file(
                "signature_scan",
                jpeg_ok[..jpeg_ok.len() / 2].to_vec(),
                "image/jpeg",
            ),
            refused(422, "signature_scan", "attachment_corrupt"),
        ),
        case(
            "a JPEG whose scan is noise",
            with_file("signature_scan", noisy_scan, "image/jpeg"),
            refused(422, "signature_scan", "attachment_corrupt"),
        ),
        case(
            "a pixel bomb: 100,000 × 100,000 in the header",
            with_file(
                "hris_status_screenshot",
                png_with(100_000, 100_000, std::slice::from_ref(&idat)),
                "image/png",
            ),
            Expect::Refused(422, None),
        ),
        case(
            "a scan a pixel too wide",
            with_file("ktp_scan", png(449, 290), "image/png"),
            refused(422, "ktp_scan", "attachment_dimensions"),
        ),
        case(
            "a zero-size image",
            with_file(
                "ktp_scan",
                png_with(0, 0, std::slice::from_ref(&idat)),
                "image/png",
            ),
            Expect::Refused(422, None),
        ),
        case(
            "a PDF named ktp.png",
            with_file("ktp_scan", pdf(), "image/png"),
            refused(422, "ktp_scan", "attachment_type"),
        ),
        case(
            "a GIF",
            with_file(
                "ktp_scan",
                b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
                "image/gif",
            ),
            refused(422, "ktp_scan", "attachment_type"),
        ),
        case(
            "an SVG with a script",
            with_file(
                "signature_scan",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                    .to_vec(),
                "image/svg+xml",
            ),
            refused(422, "signature_scan", "attachment_type"),
        ),
        case(
            "an HTML page as the letter",
            with_file(
                "recommendation_letter",
                b"<html><body onload=alert(1)></body></html>".to_vec(),
                "application/pdf",
            ),
            refused(422, "recommendation_letter", "attachment_type"),
        ),
        case(
            "an empty file",
            with_file("ktp_scan", Vec::new(), "image/png"),
            Expect::Refused(422, None),
        ),
        case(
            "a Windows program named scan.jpg",
            with_file(
                "ktp_scan",
                b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
                "image/jpeg",
            ),
            refused(422, "ktp_scan", "attachment_type"),
        ),
        case(
            "a 64 MiB text bomb in a PNG's zTXt chunk: dropped unread",
            Request::Validate {
                files: vec![(
                    "ktp_scan",
                    splice_after_header(&png_ok, &ztxt_bomb),
                    "image/png",
                )],
            },
            Expect::Valid,
        ),
        case(
            "a 64 MiB colour-profile bomb in a PNG's iCCP chunk",
            with_file(
                "ktp_scan",
                splice_after_header(&png_ok, &iccp_bomb),
                "image/png",
            ),
            refused(422, "ktp_scan", "attachment_corrupt"),
        ),
        case(
            "a PNG carrying a PDF with JavaScript and a page of HTML: the image is kept",
            Request::Validate {
                files: vec![(
                    "ktp_scan",
                    {
                        let mut polyglot = splice_after_header(
                            &png_ok,
                            &chunk(b"tEXt", b"Comment\0%PDF-1.7 /OpenAction /JavaScript"),
                        );
                        polyglot.extend(b"<html><script>alert(1)</script></html>");
                        polyglot
                    },
                    "image/png",
                )],
            },
            Expect::Valid,
        ),
    ]
}

/// `png` with `extra` right after its header chunk.
fn splice_after_header(png: &[u8], extra: &[u8]) -> Vec<u8> {
    let at = 8 + 25;
    let mut out = png[..at].to_vec();
    out.extend(extra);
    out.extend(&png[at..]);
    out
}

fn letter_cases() -> Vec<Case> {
    let mut deep = b"<< /Type /Catalog /Pages 2 0 R /Nested ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    deep.extend(std::iter::repeat_n(b']', 100_000));
    deep.extend(b" >>");
    let mut cases: Vec<Case> = refused_letters()
        .into_iter()
        .chain([
            (
                "%PDF- and nothing else",
                b"%PDF-".to_vec(),
                "attachment_corrupt",
            ),
            (
                "%PDF- over random bytes",
                [b"%PDF-1.7\n".to_vec(), noise(50_000, 3)].concat(),
                "attachment_corrupt",
            ),
        ])
        .map(|(name, bytes, code)| {
            case(
                name,
                with_file("recommendation_letter", bytes, "application/pdf"),
                refused(422, "recommendation_letter", code),
            )
        })
        .collect();
    cases.push(case(
        "an inflation bomb of 512 MiB in the object stream holding the page",
        with_file(
            "recommendation_letter",
            letter_with_packed_page("", 512 << 20),
            "application/pdf",
        ),
        Expect::Refused(422, None),
    ));
    cases.push(case(
        "arrays nested 100,000 deep",
        with_file(
            "recommendation_letter",
            pdf_of(
                &[
                    deep,
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
                ],
                "",
            ),
            "application/pdf",
        ),
        Expect::Refused(422, None),
    ));
    cases
}

fn text_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = SECRETS
        .iter()
        .map(|secret| {
            case(
                format!("a secret in the description: {secret}"),
                with_text("description", &format!("Gagal tanda tangan. {secret}")),
                refused(422, "description", "secret_in_text"),
            )
        })
        .collect();
    for secret in &SECRETS[..3] {
        cases.push(case(
            format!("a secret in a comment: {secret}"),
            Request::Comment {
                body: (*secret).to_owned(),
            },
            refused(422, "body", "secret_in_text"),
        ));
    }
    for (name, text) in [
        ("a NUL byte", "Gagal daftar\u{0000}"),
        ("a right-to-left override", "Lampiran \u{202E}fdp.exe"),
        ("a left-to-right embedding", "Lampiran \u{202A}x"),
        ("a first-strong isolate", "Lampiran \u{2068}x"),
        ("a pop-directional isolate", "Lampiran \u{2069}x"),
        ("an escape sequence", "Gagal \u{001b}[31m merah"),
        ("a bell", "Gagal \u{0007}"),
    ] {
        cases.push(case(
            format!("{name} in the description"),
            with_text("description", text),
            refused(422, "description", "text_control_characters"),
        ));
    }
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["email"] = json!("andi-contoh@kemenkeu.go.id");
    cases.push(case(
        "an email with a hyphen",
        Request::File {
            ticket,
            files: Vec::new(),
        },
        refused(422, "requester.email", "email_hyphen"),
    ));
    let mut ticket = ticket_json("15.1");
    ticket["requester"]["nik"] = json!("3174051705900001'; DROP TABLE tickets; --");
    cases.push(case(
        "SQL in the NIK",
        Request::File {
            ticket,
            files: Vec::new(),
        },
        Expect::Refused(422, None),
    ));
    let mut ticket = ticket_json("15.1");
    ticket["description"] = json!("a".repeat(100_000));
    cases.push(case(
        "a description of 100,000 characters",
        Request::File {
            ticket,
            files: Vec::new(),
        },
        Expect::Refused(422, None),
    ));
    let mut ticket = ticket_json("15.1");
    ticket["surprise"] = json!(true);
    cases.push(case(
        "a field the desk does not know",
        Request::File {
            ticket,
            files: Vec::new(),
        },
        refused(422, "surprise", "unknown_field"),
    ));
    cases
}

fn query_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for list in ["/api/v1/queues/general/tickets", "/api/v1/me/tickets"] {
        let who = || {
            if list.contains("queues") {
                Who::Agent
            } else {
                Who::Requester
            }
        };
        let filters =
            BAD_LIST_FILTERS
                .into_iter()
                .chain([("cursor=eyJ4IjoxfQ", "cursor", "required")]);
        for (query, field, code) in filters {
            cases.push(case(
                format!("{list}?{query}"),
                Request::Get {
                    path: format!("{list}?{query}"),
                    who: who(),
                },
                refused(422, field, code),
            ));
        }
    }
    cases.push(case(
        "a NIK and a NUL in a search",
        Request::Get {
            path: format!("/api/v1/me/tickets?q={REQUESTER_NIK}%00"),
            who: Who::Requester,
        },
        refused(422, "q", "text_control_characters"),
    ));
    cases.push(case(
        "a NIK as a ticket number",
        Request::Get {
            path: format!("/api/v1/tickets/{REQUESTER_NIK}"),
            who: Who::Agent,
        },
        Expect::Refused(404, None),
    ));
    cases
}

fn body_and_auth_cases() -> Vec<Case> {
    let form_body = |parts: &[(&str, &[u8])]| {
        let mut body = Vec::new();
        for (name, content) in parts {
            body.extend(
                format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes(),
            );
            body.extend(*content);
            body.extend(b"\r\n");
        }
        body.extend(b"--B--\r\n");
        body
    };
    let ticket = serde_json::to_vec(&ticket_json("15.1")).unwrap();
    let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("x{i}"), b"1".to_vec())).collect();
    let many: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let post = |body: Vec<u8>, content_type: &'static str, who: Who| Request::Post {
        path: "/api/v1/tickets",
        content_type,
        body,
        who,
    };
    let multipart = "multipart/form-data; boundary=B";
    vec![
        case(
            "a body over the limit",
            post(vec![b'a'; 29 << 20], multipart, Who::Requester),
            Expect::Refused(413, None),
        ),
        case(
            "an attachment over the part limit",
            with_file("ktp_scan", vec![0x89; (5 << 20) + 1], "image/png"),
            refused(422, "ktp_scan", "attachment_too_large"),
        ),
        case(
            "twenty parts",
            post(form_body(&many), multipart, Who::Requester),
            Expect::Refused(422, None),
        ),
        case(
            "a ticket part that is not JSON",
            post(
                form_body(&[("ticket", b"{not json")]),
                multipart,
                Who::Requester,
            ),
            Expect::Refused(422, None),
        ),
        case(
            "no ticket part",
            post(
                form_body(&[("ktp_scan", &png(10, 10))]),
                multipart,
                Who::Requester,
            ),
            Expect::Refused(422, None),
        ),
        case(
            "JSON instead of multipart",
            post(ticket.clone(), "application/json", Who::Requester),
            Expect::Refused(415, None),
        ),
        case(
            "multipart without a boundary",
            post(ticket.clone(), "multipart/form-data", Who::Requester),
            Expect::Refused(415, None),
        ),
        case(
            "a multipart body that never ends",
            post(
                b"--B\r\nContent-Disposition: form-data; name=\"ticket\"\r\n\r\n{".to_vec(),
                multipart,
                Who::Requester,
            ),
            Expect::Refused(400, None),
        ),
        case(
            "a token signed with another key",
            post(
                form_body(&[("ticket", &ticket)]),
                multipart,
                Who::Bearer(forged_token()),
            ),
            Expect::Refused(401, None),
        ),
        case(
            "a token that says it needs no signature",
            post(
                form_body(&[("ticket", &ticket)]),
                multipart,
                Who::Bearer(unsigned_token()),
            ),
            Expect::Refused(401, None),
        ),
        case(
            "a guessed API token",
            post(
                form_body(&[("ticket", &ticket)]),
                multipart,
                Who::Bearer(format!("cdk_{}", "A".repeat(43))),
            ),
            Expect::Refused(401, None),
        ),
        case(
            "garbage for a token",
            post(
                form_body(&[("ticket", &ticket)]),
                multipart,
                Who::Bearer("%00%ff".into()),
            ),
            Expect::Refused(401, None),
        ),
        case(
            "Basic instead of Bearer",
            post(
                form_body(&[("ticket", &ticket)]),
                multipart,
                Who::Raw("Basic YWRtaW46YWRtaW4="),
            ),
            Expect::Refused(401, None),
        ),
        case(
            "a body that stalls",
            Request::Stall { trickle: false },
            Expect::Status(408),
        ),
        case(
            "a body that trickles",
            Request::Stall { trickle: true },
            Expect::Status(408),
        ),
    ]
}

fn forged_token() -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let claims = json!({
        "sub": AGENT_NIP, "roles": ["agent", "supervisor"], "iss": "certdesk-local",
        "aud": "certdesk", "exp": 4_102_444_800u64,
    });
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(b"not the desk's key"),
    )
    .unwrap()
}

fn unsigned_token() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(
            format!(r#"{{"sub":"{AGENT_NIP}","roles":["supervisor"],"iss":"certdesk-local","aud":"certdesk","exp":4102444800}}"#)
        )
    )
}

fn must_pass_cases() -> Vec<Case> {
    UNUSUAL_IMAGES
        .iter()
        .map(|name| {
            let mime = if name.ends_with(".png") {
                "image/png"
            } else {
                "image/jpeg"
            };
            case(
                format!("a valid {name} as the ID-card scan"),
                Request::Validate {
                    files: vec![("ktp_scan", fixture(name), mime)],
                },
                Expect::Valid,
            )
        })
        .collect()
}

fn form_of(ticket: &Value, files: Vec<(&'static str, Vec<u8>, &'static str)>) -> Form {
    let mut parts: Vec<(&'static str, Part)> = all_files();
    for (slot, bytes, mime) in files {
        let part = file_part(bytes, "upload", mime);
        match parts.iter_mut().find(|(name, _)| *name == slot) {
            Some(existing) => existing.1 = part,
            None => parts.push((slot, part)),
        }
    }
    form(ticket, parts)
}

async fn every_case_in_the_corpus_is_refused_cleanly_and_the_log_stays_clean(backend: Backend) {
    let (app, server) = spawn_binary(
        backend,
        &[
            ("CERTDESK_LIMITS__BODY_IDLE_SECS", "1"),
            ("CERTDESK_LIMITS__BODY_TOTAL_SECS", "3"),
            // Limits that a corpus run stays under, but for its last case.
            ("CERTDESK_RATE_LIMITS__INTAKE_PER_MINUTE", "10000"),
            ("CERTDESK_RATE_LIMITS__VALIDATE_PER_MINUTE", "10000"),
            ("CERTDESK_RATE_LIMITS__COMMENTS_PER_MINUTE", "10000"),
            ("CERTDESK_RATE_LIMITS__PER_ADDRESS_PER_MINUTE", "10000"),
            ("CERTDESK_RATE_LIMITS__FAILED_AUTH_PER_MINUTE", "30"),
        ],
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let agent = app.token(AGENT_NIP, &[certdesk_domain::lifecycle::Role::Agent]);
    let requester = app.requester_token();

    // The corpus's own ticket, for comments: a renewal, so that a 15.1 filing that
    // passed would not collide with it.
    let mut renewal = ticket_json("15.2");
    renewal["subtype"] = json!("renewal");
    let (number, _) = file(&app, renewal, required_files()).await;

    let mut cases = Vec::new();
    cases.extend(image_cases());
    cases.extend(letter_cases());
    cases.extend(text_cases());
    cases.extend(query_cases());
    cases.extend(body_and_auth_cases());
    cases.extend(must_pass_cases());
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let total = cases.len();

    for Case {
        name,
        request,
        expect,
    } in cases
    {
        let (tickets, files) = (app.count("tickets").await, app.stored_files());
        let bearer = |who: &Who| match who {
            Who::Requester => format!("Bearer {requester}"),
            Who::Agent => format!("Bearer {agent}"),
            Who::Bearer(token) => format!("Bearer {token}"),
            Who::Raw(value) => (*value).to_owned(),
        };
        let response = match request {
            Request::File { ticket, files } => {
                client
                    .post(app.url("/api/v1/tickets"))
                    .header("Authorization", bearer(&Who::Requester))
                    .multipart(form_of(&ticket, files))
                    .send()
                    .await
            }
            Request::Validate { files } => {
                client
                    .post(app.url("/api/v1/tickets/validate"))
                    .header("Authorization", bearer(&Who::Requester))
                    .multipart(form_of(&ticket_json("15.1"), files))
                    .send()
                    .await
            }
            Request::Get { path, who } => {
                client
                    .get(app.url(&path))
                    .header("Authorization", bearer(&who))
                    .send()
                    .await
            }
            Request::Post {
                path,
                content_type,
                body,
                who,
            } => {
                client
                    .post(app.url(path))
                    .header("Authorization", bearer(&who))
                    .header("Content-Type", content_type)
                    .body(body)
                    .send()
                    .await
            }
            Request::Comment { body } => {
                client
                    .post(app.url(&format!("/api/v1/tickets/{number}/comments")))
                    .header("Authorization", bearer(&Who::Requester))
                    .json(&json!({ "body": body, "internal": false }))
                    .send()
                    .await
            }
            Request::Stall { trickle } => {
                let line = stalled_upload(&app, 100_000, 2_000, trickle).await;
                let Expect::Status(status) = expect else {
                    unreachable!()
                };
                assert!(line.contains(&format!(" {status} ")), "{name}: {line}");
                assert_eq!(app.count("tickets").await, tickets, "{name}");
                continue;
            }
        };
        let response = response.unwrap_or_else(|e| panic!("{name}: no answer: {e}"));
        let status = response.status().as_u16();
        assert!(status < 500, "{name}: {status}");
        match expect {
            Expect::Valid => {
                assert_eq!(status, 200, "{name}");
                let report: Value = response.json().await.unwrap();
                assert_eq!(report["valid"], true, "{name}: {report}");
            }
            Expect::Refused(expected, rule) => {
                assert_eq!(status, expected, "{name}");
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                assert_eq!(content_type, "application/problem+json", "{name}");
                let body: Value = response.json().await.unwrap();
                for language in ["id", "en"] {
                    assert!(
                        body["message"][language].is_string(),
                        "{name}: no {language} message: {body}"
                    );
                }
                if let Some((field, code)) = rule {
                    assert!(
                        errors(&body).contains(&(field.to_owned(), code.to_owned())),
                        "{name}: {body}"
                    );
                }
                let text = body.to_string();
                assert!(!text.contains(REQUESTER_NIK), "{name}: the NIK in {text}");
            }
            Expect::Status(_) => unreachable!(),
        }
        assert_eq!(
            app.count("tickets").await,
            tickets,
            "{name}: a row was stored"
        );
        assert_eq!(app.stored_files(), files, "{name}: a file was stored");
    }

    // Last: someone guessing tokens from one address is stopped.
    let mut statuses = Vec::new();
    for guess in 0..40 {
        let response = client
            .get(app.url("/api/v1/me/tickets"))
            .bearer_auth(format!("cdk_{guess:0>43}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(
        statuses.iter().all(|s| [401, 429].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");

    // A search for a NIK is a valid search; the log must not repeat it.
    let found = client
        .get(app.url(&format!("/api/v1/me/tickets?q={REQUESTER_NIK}")))
        .bearer_auth(&requester)
        .send()
        .await
        .unwrap();
    assert!(found.status().as_u16() < 500);

    let log = server.stop();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() > 10, "the server logged: {log}");
    assert!(!log.contains(REQUESTER_NIK), "a NIK in the log");
    for secret in SECRET_VALUES {
        assert!(!log.contains(secret), "{secret:?} in the log");
    }
    for trace in ["panicked", "stack backtrace", "RUST_BACKTRACE", "\n   0: "] {
        assert!(!log.contains(trace), "{trace:?} in the log");
    }
    for line in &lines {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|_| panic!("a log line that is not JSON: {line}"));
        assert_ne!(entry["level"], "ERROR", "{line}");
    }
    eprintln!(
        "{total} cases; the log has {} lines, all clean",
        lines.len()
    );
    if let Ok(keep) = std::env::var("TEST_KEEP_CORPUS_LOG") {
        std::fs::write(keep, &log).unwrap();
    }
}
