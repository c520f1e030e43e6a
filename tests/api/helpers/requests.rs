//! Building requests: synthetic tickets and generated attachments.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{OFFICER_NIP, REQUESTER_NIK, REQUESTER_NIP, requester_nip};

pub fn requester() -> Value {
    json!({
        "nip": REQUESTER_NIP,
        "nik": REQUESTER_NIK,
        "name": "Andi Contoh",
        "email": "andi.contoh@kemenkeu.go.id",
        "unit": "Sekretariat Jenderal",
        "position": "Pranata Komputer"
    })
}

pub fn ticket_json(service: &str) -> Value {
    json!({
        "service": service,
        "requester": requester(),
        "responsible_officer_nip": OFFICER_NIP,
        "description": "Permohonan layanan sertifikat elektronik (data uji)."
    })
}

/// A ticket filed by the `n`th synthetic requester.
pub fn ticket_json_for(service: &str, n: u32) -> Value {
    let mut requester = requester();
    requester["nip"] = json!(requester_nip(n));
    requester["email"] = json!(format!("andi.contoh{n}@kemenkeu.go.id"));
    json!({
        "service": service,
        "requester": requester,
        "responsible_officer_nip": OFFICER_NIP,
        "description": "Permohonan layanan sertifikat elektronik (data uji)."
    })
}

/// A form carrying `ticket` and the given file parts.
pub fn form(ticket: &Value, files: Vec<(&'static str, Part)>) -> Form {
    files.into_iter().fold(
        Form::new().text("ticket", ticket.to_string()),
        |form, (name, part)| form.part(name, part),
    )
}

pub fn png_part(width: u32, height: u32) -> Part {
    file_part(png(width, height), "scan.png", "image/png")
}

pub fn jpeg_part(width: u32, height: u32) -> Part {
    file_part(jpeg(width, height), "scan.jpg", "image/jpeg")
}

pub fn pdf_part() -> Part {
    file_part(pdf(), "letter.pdf", "application/pdf")
}

pub fn file_part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap()
}

/// The four attachments every service requires, all valid.
pub fn required_files() -> Vec<(&'static str, Part)> {
    vec![
        ("ktp_scan", png_part(448, 290)),
        ("signature_scan", jpeg_part(300, 120)),
        ("recommendation_letter", pdf_part()),
        ("hris_status_screenshot", png_part(1280, 720)),
    ]
}

/// Every attachment, for 15.1.
pub fn all_files() -> Vec<(&'static str, Part)> {
    let mut files = required_files();
    files.push(("error_screenshot", png_part(1024, 600)));
    files
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    // Identical rows compress like a real screenshot's flat areas: files stay small.
    let pixels: Vec<u8> = (0..width * height).map(|i| (i % width) as u8).collect();
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &pixels,
        width,
        height,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    out
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height * 3).map(|i| (i % 253) as u8).collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A one-page letter, as a PDF writer would make it.
pub fn pdf() -> Vec<u8> {
    pdf_of(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            pdf_stream(
                "",
                b"BT /F1 12 Tf 72 770 Td (Surat rekomendasi - data sintetis) Tj ET",
            ),
        ],
        "",
    )
}

/// A PDF of `objects`, numbered from 1 (the first is the catalog), with a cross-reference
/// table and `trailer_extra` added to the trailer.
pub fn pdf_of(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", index + 1).bytes());
        out.extend(object);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A stream object holding `content`, with extra dictionary entries.
pub fn pdf_stream(extra: &str, content: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {} {extra} >>\nstream\n", content.len()).into_bytes();
    out.extend(content);
    out.extend(b"\nendstream");
    out
}
