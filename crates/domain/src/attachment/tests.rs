use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(
        encoder,
        &vec![255u8; (width * height) as usize],
        width,
        height,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    out
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut out);
    encoder
        .encode(
            &vec![128u8; (width * height) as usize],
            width,
            height,
            image::ExtendedColorType::L8,
        )
        .unwrap();
    out
}

/// A PNG whose header claims a huge size, followed by no pixel data at all: reading
/// the size must not try to allocate or decode it.
fn png_header_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    // A few bytes of "compressed data" stand for the gigabytes it would inflate to.
    for (name, data) in [
        (&b"IHDR"[..], &ihdr[..]),
        (b"IDAT", &[0x78, 0x9c, 0x03, 0x00][..]),
        (b"IEND", &[][..]),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut chunk = name.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn scans_at_the_limit_pass_and_one_pixel_more_fails() {
    let policy = AttachmentPolicy::default();
    let scan = png(448, 290);
    let ok = policy.inspect(AttachmentKind::KtpScan, &scan).unwrap();
    assert_eq!(ok.file.pixels, Some((448, 290)));
    assert_eq!(ok.file.file_type, FileType::Png);
    let wide = policy
        .inspect(AttachmentKind::KtpScan, &png(449, 290))
        .unwrap_err();
    assert_eq!(wide.code, ProblemCode::AttachmentDimensions);
    assert!(wide.message.en.contains("449×290"), "{}", wide.message.en);
    let tall = policy
        .inspect(AttachmentKind::SignatureScan, &jpeg(448, 291))
        .unwrap_err();
    assert_eq!(tall.code, ProblemCode::AttachmentDimensions);
    assert!(tall.message.id.contains("448×291"));
}

#[test]
fn type_comes_from_the_bytes() {
    let policy = AttachmentPolicy::default();
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
    let err = policy.inspect(AttachmentKind::KtpScan, pdf).unwrap_err();
    assert_eq!(err.code, ProblemCode::AttachmentType);
    assert!(err.message.en.contains("PDF"));
    assert_eq!(
        policy
            .inspect(AttachmentKind::RecommendationLetter, pdf)
            .unwrap()
            .file
            .file_type,
        FileType::Pdf
    );
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    assert_eq!(
        policy
            .inspect(AttachmentKind::ErrorScreenshot, gif)
            .unwrap_err()
            .code,
        ProblemCode::AttachmentType
    );
    let text = b"hello";
    assert_eq!(
        policy
            .inspect(AttachmentKind::ErrorScreenshot, text)
            .unwrap_err()
            .code,
        ProblemCode::AttachmentType
    );
}

#[test]
fn huge_claimed_sizes_are_refused_from_the_header_alone() {
    let policy = AttachmentPolicy::default();
    let bomb = png_header_claiming(60_000, 60_000);
    let err = policy
        .inspect(AttachmentKind::HrisStatusScreenshot, &bomb)
        .unwrap_err();
    assert_eq!(err.code, ProblemCode::AttachmentTooManyPixels, "{err:?}");
    assert!(err.message.en.contains("60000×60000"));
}

#[test]
fn truncated_images_are_unreadable_not_accepted() {
    let policy = AttachmentPolicy::default();
    let truncated = &png(10, 10)[..12];
    assert_eq!(
        policy
            .inspect(AttachmentKind::KtpScan, truncated)
            .unwrap_err()
            .code,
        ProblemCode::AttachmentUnreadable
    );
    let truncated = &jpeg(10, 10)[..4];
    assert_eq!(
        policy
            .inspect(AttachmentKind::KtpScan, truncated)
            .unwrap_err()
            .code,
        ProblemCode::AttachmentUnreadable
    );
}

#[test]
fn empty_and_oversized_files_are_refused() {
    let policy = AttachmentPolicy {
        max_part_bytes: 100,
        ..AttachmentPolicy::default()
    };
    assert_eq!(
        policy
            .inspect(AttachmentKind::KtpScan, b"")
            .unwrap_err()
            .code,
        ProblemCode::AttachmentEmpty
    );
    let big = png(100, 100);
    assert!(big.len() > 100);
    assert_eq!(
        policy
            .inspect(AttachmentKind::KtpScan, &big)
            .unwrap_err()
            .code,
        ProblemCode::AttachmentTooLarge
    );
}

// ---- what is kept of an image -------------------------------------------------------

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// `png` with `extra` chunks inserted after IHDR and `trailer` appended after IEND.
fn png_with(image: &[u8], extra: &[Vec<u8>], trailer: &[u8]) -> Vec<u8> {
    let ihdr_end = 8 + 12 + 13;
    let mut out = image[..ihdr_end].to_vec();
    for chunk in extra {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&image[ihdr_end..]);
    out.extend_from_slice(trailer);
    out
}

fn rgb_png(width: u32, height: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height * 3)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &pixels,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

fn decoded(bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory(bytes).unwrap().into_bytes()
}

fn kept(kind: AttachmentKind, bytes: &[u8]) -> Result<Vec<u8>, ProblemCode> {
    AttachmentPolicy::default()
        .inspect(kind, bytes)
        .map(|admitted| admitted.content.into_owned())
        .map_err(|problem| problem.code)
}

#[test]
fn a_png_keeps_only_what_draws_it_with_the_same_pixels() {
    let image = rgb_png(40, 30);
    let gps = chunk(b"eXIf", b"MM\0*GPS 6.1754 S 106.8272 E");
    let text = chunk(b"tEXt", b"Comment\0%PDF-1.7 /JavaScript (app.alert(1))");
    let time = chunk(b"tIME", &[7, 234, 11, 30, 12, 0, 0]);
    let profile = chunk(b"gAMA", &45455u32.to_be_bytes());
    let sent = png_with(
        &image,
        &[gps, text, time, profile.clone()],
        b"<html><script>alert(1)</script>",
    );
    let stored = kept(AttachmentKind::HrisStatusScreenshot, &sent).unwrap();
    let as_text = String::from_utf8_lossy(&stored);
    for gone in [
        "eXIf",
        "GPS",
        "tEXt",
        "%PDF",
        "JavaScript",
        "tIME",
        "<html>",
        "script",
    ] {
        assert!(!as_text.contains(gone), "{gone} survived");
    }
    assert!(
        stored.windows(profile.len()).any(|w| w == &profile[..]),
        "the colour information stays"
    );
    assert!(
        stored.ends_with(&chunk(b"IEND", &[])),
        "nothing after the end"
    );
    assert_eq!(decoded(&stored), decoded(&image), "not one pixel changed");
}

#[test]
fn a_jpeg_keeps_only_what_decodes_it_with_the_same_pixels() {
    let image = jpeg(64, 48);
    // APP1 (EXIF with a position) and a comment, after SOI; junk after EOI.
    let mut exif = vec![0xFF, 0xE1];
    let payload = b"Exif\0\0GPSLatitude 6.1754S GPSLongitude 106.8272E";
    exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    exif.extend_from_slice(payload);
    let mut comment = vec![0xFF, 0xFE];
    let text = b"<script>alert(1)</script>";
    comment.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    comment.extend_from_slice(text);
    let mut sent = image[..2].to_vec();
    sent.extend_from_slice(&exif);
    sent.extend_from_slice(&comment);
    sent.extend_from_slice(&image[2..]);
    sent.extend_from_slice(b"%PDF-1.4 trailing");
    let stored = kept(AttachmentKind::SignatureScan, &sent).unwrap();
    let as_text = String::from_utf8_lossy(&stored);
    for gone in ["Exif", "GPS", "<script>", "%PDF"] {
        assert!(!as_text.contains(gone), "{gone} survived");
    }
    assert!(stored.ends_with(&[0xFF, 0xD9]));
    assert_eq!(decoded(&stored), decoded(&image), "not one pixel changed");
}

#[test]
fn images_that_are_only_a_valid_header_are_refused_as_corrupt() {
    let image = rgb_png(40, 30);
    let idat_start = 8 + 12 + 13;
    // Cut inside the pixel data.
    let truncated = image[..image.len() - 30].to_vec();
    // A wrong checksum on the data.
    let mut bad_crc = image.clone();
    let last_idat_byte = bad_crc.len() - 12 - 5;
    bad_crc[last_idat_byte] ^= 0x55;
    // Random compressed data with a correct checksum.
    let noise: Vec<u8> = (0..200u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let mut random_idat = image[..idat_start].to_vec();
    random_idat.extend_from_slice(&chunk(b"IDAT", &noise));
    random_idat.extend_from_slice(&chunk(b"IEND", &[]));
    // A JPEG cut in half, and one whose scan is noise.
    let whole = jpeg(64, 48);
    let half = whole[..whole.len() / 2].to_vec();
    let sos = whole.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let header_len = usize::from(u16::from_be_bytes([whole[sos + 2], whole[sos + 3]]));
    let mut noisy = whole[..sos + 2 + header_len].to_vec();
    noisy.extend(
        (0..600u32).map(|i| match (i.wrapping_mul(40503) >> 7) as u8 {
            0xFF => 0xFE,
            b => b,
        }),
    );
    noisy.extend_from_slice(&[0xFF, 0xD9]);
    for (name, kind, bytes) in [
        (
            "truncated PNG",
            AttachmentKind::HrisStatusScreenshot,
            truncated,
        ),
        ("wrong CRC", AttachmentKind::HrisStatusScreenshot, bad_crc),
        (
            "random IDAT",
            AttachmentKind::HrisStatusScreenshot,
            random_idat,
        ),
        ("half a JPEG", AttachmentKind::SignatureScan, half),
        ("noise for a scan", AttachmentKind::SignatureScan, noisy),
    ] {
        let refused = kept(kind, &bytes);
        assert!(
            matches!(
                refused,
                Err(ProblemCode::AttachmentCorrupt | ProblemCode::AttachmentUnreadable)
            ),
            "{name}: {refused:?}"
        );
    }
}

#[test]
fn an_animated_png_keeps_its_still_image() {
    let image = rgb_png(20, 10);
    let actl = chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]);
    let sent = png_with(&image, &[actl], &[]);
    let stored = kept(AttachmentKind::ErrorScreenshot, &sent).unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("acTL"));
    assert_eq!(decoded(&stored), decoded(&image));
}

#[test]
fn sixteen_bit_and_grey_alpha_images_pass() {
    for (colour, channels) in [
        (image::ExtendedColorType::Rgb16, 6u32),
        (image::ExtendedColorType::La8, 2),
        (image::ExtendedColorType::Rgba8, 4),
    ] {
        let pixels: Vec<u8> = (0..30 * 20 * channels).map(|i| (i % 256) as u8).collect();
        let mut out = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut out),
            &pixels,
            30,
            20,
            colour,
        )
        .unwrap();
        assert!(
            kept(AttachmentKind::HrisStatusScreenshot, &out).is_ok(),
            "{colour:?}"
        );
    }
}

#[test]
fn decoding_takes_no_more_memory_than_its_budget() {
    let policy = AttachmentPolicy {
        max_decode_bytes: 1000,
        ..AttachmentPolicy::default()
    };
    let refused = policy
        .inspect(AttachmentKind::HrisStatusScreenshot, &rgb_png(40, 30))
        .unwrap_err();
    assert_eq!(refused.code, ProblemCode::AttachmentDecodeBudget);
}

proptest::proptest! {
    /// Whatever the bytes, inspecting them answers (no panic, no hang) within bounds.
    #[test]
    fn inspecting_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
        for kind in AttachmentKind::ALL {
            let _ = AttachmentPolicy::default().inspect(kind, &bytes);
        }
    }

    /// A valid image with bytes flipped anywhere is either still an image or refused.
    #[test]
    fn a_damaged_image_is_kept_or_refused_never_a_panic(at in 0usize..2000, with in proptest::prelude::any::<u8>()) {
        let mut image = rgb_png(40, 30);
        let at = at % image.len();
        image[at] = with;
        let _ = AttachmentPolicy::default().inspect(AttachmentKind::HrisStatusScreenshot, &image);
        let mut jpeg = jpeg(40, 30);
        let at = at % jpeg.len();
        jpeg[at] = with;
        let _ = AttachmentPolicy::default().inspect(AttachmentKind::SignatureScan, &jpeg);
    }
}

// ---- what a PDF letter must be --------------------------------------------------------

use super::pdf::{ActiveContent, DEFAULT_MAX_PDF_PAGES, PdfFacts, PdfInspection, PdfReading};

fn read(pages: u32, encrypted: bool, active: &[ActiveContent]) -> PdfInspection {
    PdfInspection::Reported(PdfReading::Read(PdfFacts {
        pages,
        encrypted,
        active_content: active.to_vec(),
    }))
}

fn code(inspection: &PdfInspection) -> Option<ProblemCode> {
    AttachmentPolicy::default()
        .judge_pdf(AttachmentKind::RecommendationLetter, inspection)
        .err()
        .map(|p| p.code)
}

#[test]
fn a_plain_letter_of_a_few_pages_passes() {
    assert_eq!(code(&read(1, false, &[])), None);
    assert_eq!(code(&read(DEFAULT_MAX_PDF_PAGES, false, &[])), None);
}

#[test]
fn what_an_agent_cannot_open_or_should_not_is_refused_by_name() {
    use ProblemCode::*;
    assert_eq!(
        code(&PdfInspection::Reported(PdfReading::Unreadable)),
        Some(AttachmentCorrupt)
    );
    assert_eq!(code(&read(0, false, &[])), Some(AttachmentCorrupt));
    assert_eq!(
        code(&PdfInspection::Uncheckable),
        Some(AttachmentTooComplex)
    );
    assert_eq!(code(&read(1, true, &[])), Some(AttachmentEncrypted));
    // A locked file shows no pages until it is opened; the lock is what to report.
    assert_eq!(code(&read(0, true, &[])), Some(AttachmentEncrypted));
    assert_eq!(
        code(&read(
            1,
            false,
            &[ActiveContent::EmbeddedFile, ActiveContent::JavaScript]
        )),
        Some(AttachmentActiveContent)
    );
    assert_eq!(
        code(&read(DEFAULT_MAX_PDF_PAGES + 1, false, &[])),
        Some(AttachmentTooManyPages)
    );
}

#[test]
fn the_refusal_names_what_was_found_in_both_languages() {
    let problem = AttachmentPolicy::default()
        .judge_pdf(
            AttachmentKind::RecommendationLetter,
            &read(
                1,
                false,
                &[ActiveContent::Launch, ActiveContent::JavaScript],
            ),
        )
        .unwrap_err();
    assert!(
        problem.message.id.contains("JavaScript"),
        "{}",
        problem.message.id
    );
    assert!(
        problem.message.en.contains("JavaScript"),
        "{}",
        problem.message.en
    );
    assert_eq!(problem.field, "recommendation_letter");
}
