//! Attachments and the rules they must pass. The type is read from the bytes, never from
//! a file name or a client's Content-Type; image sizes are read from the header, never by
//! decoding pixels, so a hostile file cannot make us allocate its claimed size.

use std::io::Cursor;

use image::ImageDecoder;
use serde::Serialize;

use crate::problem::{Message, Problem, ProblemCode};

/// The largest ID-card and signature scan the certificate authority takes.
pub const SCAN_MAX_WIDTH: u32 = 448;
pub const SCAN_MAX_HEIGHT: u32 = 290;
/// Defaults for the limits that operators may configure.
pub const DEFAULT_MAX_PART_BYTES: u64 = 5 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 25_000_000;
/// What the PNG header reader may allocate for metadata chunks (ICC profiles, text)
/// before it reaches the image size. Far above any honest file's needs.
const HEADER_READ_ALLOC_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttachmentKind {
    KtpScan,
    SignatureScan,
    RecommendationLetter,
    HrisStatusScreenshot,
    ErrorScreenshot,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 5] = [
        Self::KtpScan,
        Self::SignatureScan,
        Self::RecommendationLetter,
        Self::HrisStatusScreenshot,
        Self::ErrorScreenshot,
    ];

    /// The multipart part name, also used in URLs and problem fields.
    pub fn code(self) -> &'static str {
        match self {
            Self::KtpScan => "ktp_scan",
            Self::SignatureScan => "signature_scan",
            Self::RecommendationLetter => "recommendation_letter",
            Self::HrisStatusScreenshot => "hris_status_screenshot",
            Self::ErrorScreenshot => "error_screenshot",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn title(self) -> Message {
        match self {
            Self::KtpScan => Message::new("Pindaian KTP", "ID-card (KTP) scan"),
            Self::SignatureScan => Message::new("Pindaian tanda tangan", "Signature scan"),
            Self::RecommendationLetter => {
                Message::new("Surat rekomendasi", "Recommendation letter")
            }
            Self::HrisStatusScreenshot => Message::new(
                "Tangkapan layar status DS di HRIS",
                "Screenshot of the DS status shown in HRIS",
            ),
            Self::ErrorScreenshot => Message::new(
                "Tangkapan layar pesan galat",
                "Screenshot of the error message",
            ),
        }
    }

    pub fn accepted_types(self) -> &'static [FileType] {
        match self {
            Self::RecommendationLetter => &[FileType::Pdf, FileType::Jpeg, FileType::Png],
            Self::KtpScan
            | Self::SignatureScan
            | Self::HrisStatusScreenshot
            | Self::ErrorScreenshot => &[FileType::Jpeg, FileType::Png],
        }
    }

    /// The largest width and height, for kinds the certificate authority bounds.
    pub fn max_dimensions(self) -> Option<(u32, u32)> {
        match self {
            Self::KtpScan | Self::SignatureScan => Some((SCAN_MAX_WIDTH, SCAN_MAX_HEIGHT)),
            Self::RecommendationLetter | Self::HrisStatusScreenshot | Self::ErrorScreenshot => None,
        }
    }
}

/// The file types we recognise by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Pdf]
            .into_iter()
            .find(|t| t.content_type() == content_type)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "JPG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
        }
    }
}

/// What the bytes turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InspectedFile {
    #[serde(skip)]
    pub file_type: FileType,
    pub byte_size: u64,
    /// Width and height in pixels, for images.
    pub pixels: Option<(u32, u32)>,
}

/// The limits an operator may tune; the rest of the policy is the domain's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentPolicy {
    /// The largest single file, in bytes.
    pub max_part_bytes: u64,
    /// The most pixels any image (screenshots above all) may claim.
    pub max_image_pixels: u64,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        Self {
            max_part_bytes: DEFAULT_MAX_PART_BYTES,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
        }
    }
}

impl AttachmentPolicy {
    /// Checks a whole received file against the rules of its kind.
    pub fn inspect(&self, kind: AttachmentKind, content: &[u8]) -> Result<InspectedFile, Problem> {
        let field = kind.code();
        let byte_size = content.len() as u64;
        if byte_size == 0 {
            return Err(Problem::new(
                field,
                ProblemCode::AttachmentEmpty,
                Message::new(
                    "Berkas kosong (0 byte). Unggah ulang berkasnya.",
                    "The file is empty (0 bytes). Upload it again.",
                ),
            ));
        }
        if byte_size > self.max_part_bytes {
            return Err(self.too_large(kind));
        }
        let detected = detect(content);
        let file_type = match detected {
            Detected::Accepted(t) if kind.accepted_types().contains(&t) => t,
            other => return Err(wrong_type(kind, other.describe())),
        };
        let pixels = match file_type {
            FileType::Pdf => None,
            FileType::Jpeg | FileType::Png => Some(
                read_dimensions(file_type, content).ok_or_else(|| unreadable(kind, file_type))?,
            ),
        };
        if let Some((width, height)) = pixels {
            if let Some((max_w, max_h)) = kind.max_dimensions()
                && (width > max_w || height > max_h)
            {
                return Err(Problem::new(
                    field,
                    ProblemCode::AttachmentDimensions,
                    Message::new(
                        format!(
                            "{} berukuran {width}×{height} piksel; maksimal {max_w}×{max_h} piksel. Perkecil gambarnya lalu unggah ulang.",
                            kind.title().id
                        ),
                        format!(
                            "The {} is {width}×{height} px; the maximum is {max_w}×{max_h} px. Resize the image and upload it again.",
                            in_sentence(&kind.title().en)
                        ),
                    ),
                ));
            }
            let count = u64::from(width) * u64::from(height);
            if count > self.max_image_pixels {
                let max = self.max_image_pixels;
                return Err(Problem::new(
                    field,
                    ProblemCode::AttachmentTooManyPixels,
                    Message::new(
                        format!(
                            "Gambar berukuran {width}×{height} ({count} piksel) melebihi batas {max} piksel."
                        ),
                        format!(
                            "The image is {width}×{height} ({count} pixels), over the limit of {max} pixels."
                        ),
                    ),
                ));
            }
        }
        Ok(InspectedFile {
            file_type,
            byte_size,
            pixels,
        })
    }

    /// The problem for a file that went over `max_part_bytes` while it was received.
    pub fn too_large(&self, kind: AttachmentKind) -> Problem {
        let max = self.max_part_bytes;
        Problem::new(
            kind.code(),
            ProblemCode::AttachmentTooLarge,
            Message::new(
                format!(
                    "Berkas melebihi batas ukuran {} ({max} byte).",
                    human_bytes(max)
                ),
                format!(
                    "The file is larger than the limit of {} ({max} bytes).",
                    human_bytes(max)
                ),
            ),
        )
    }
}

/// A title inside an English sentence: "Screenshot of …" becomes "screenshot of …", but
/// an acronym such as "ID-card" keeps its capitals.
pub(crate) fn in_sentence(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => first
            .to_lowercase()
            .chain(title[first.len_utf8()..].chars())
            .collect(),
        _ => title.to_owned(),
    }
}

fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

enum Detected {
    Accepted(FileType),
    OtherImage(&'static str),
    Unknown,
}

impl Detected {
    fn describe(&self) -> Option<&'static str> {
        match self {
            Self::Accepted(t) => Some(t.label()),
            Self::OtherImage(name) => Some(name),
            Self::Unknown => None,
        }
    }
}

fn detect(content: &[u8]) -> Detected {
    if content.starts_with(b"%PDF-") {
        return Detected::Accepted(FileType::Pdf);
    }
    match image::guess_format(content) {
        Ok(image::ImageFormat::Jpeg) => Detected::Accepted(FileType::Jpeg),
        Ok(image::ImageFormat::Png) => Detected::Accepted(FileType::Png),
        Ok(other) => {
            Detected::OtherImage(other.extensions_str().first().copied().unwrap_or("image"))
        }
        Err(_) => Detected::Unknown,
    }
}

/// Reads width and height from the image header only.
fn read_dimensions(file_type: FileType, content: &[u8]) -> Option<(u32, u32)> {
    match file_type {
        FileType::Png => {
            let mut limits = image::Limits::default();
            limits.max_alloc = Some(HEADER_READ_ALLOC_LIMIT);
            image::codecs::png::PngDecoder::with_limits(Cursor::new(content), limits)
                .ok()
                .map(|d| d.dimensions())
        }
        // Parses the segments up to the frame header; no scan data is decoded.
        FileType::Jpeg => image::codecs::jpeg::JpegDecoder::new(Cursor::new(content))
            .ok()
            .map(|d| d.dimensions()),
        FileType::Pdf => None,
    }
}

fn wrong_type(kind: AttachmentKind, found: Option<&str>) -> Problem {
    let accepted: Vec<&str> = kind.accepted_types().iter().map(|t| t.label()).collect();
    let accepted = accepted.join("/");
    let (found_id, found_en) = match found {
        Some(name) => (
            format!("berkas {}", name.to_uppercase()),
            format!("a {} file", name.to_uppercase()),
        ),
        None => (
            "jenis berkas yang tidak dikenali".to_owned(),
            "a file of unknown type".to_owned(),
        ),
    };
    Problem::new(
        kind.code(),
        ProblemCode::AttachmentType,
        Message::new(
            format!(
                "{} harus berupa {accepted}, tetapi isi berkasnya adalah {found_id} (nama berkas tidak menentukan jenisnya).",
                kind.title().id
            ),
            format!(
                "The {} must be {accepted}, but its content is {found_en} (the file name does not decide its type).",
                in_sentence(&kind.title().en)
            ),
        ),
    )
}

fn unreadable(kind: AttachmentKind, file_type: FileType) -> Problem {
    let label = file_type.label();
    Problem::new(
        kind.code(),
        ProblemCode::AttachmentUnreadable,
        Message::new(
            format!(
                "Berkas tampak seperti {label} tetapi rusak atau tidak lengkap. Simpan ulang gambarnya lalu unggah kembali."
            ),
            format!(
                "The file looks like a {label} but is damaged or incomplete. Save the image again and re-upload it."
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
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
        let ok = policy
            .inspect(AttachmentKind::KtpScan, &png(448, 290))
            .unwrap();
        assert_eq!(ok.pixels, Some((448, 290)));
        assert_eq!(ok.file_type, FileType::Png);
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
}
