//! Attachments and the rules they must pass. The type is read from the bytes, never from
//! a file name or a client's Content-Type. Image sizes are read from the header first, so
//! a hostile file cannot make us allocate its claimed size; only an image whose header
//! passes is cut down to the image alone (`kept.rs`) and decoded in full within a
//! memory budget.

mod kept;
pub mod pdf;

use std::borrow::Cow;
use std::io::Cursor;

use ::image::ImageDecoder;
use serde::Serialize;

use crate::problem::{Message, Problem, ProblemCode};
use pdf::{PdfInspection, PdfReading};

/// The largest ID-card and signature scan the certificate authority takes.
pub const SCAN_MAX_WIDTH: u32 = 448;
pub const SCAN_MAX_HEIGHT: u32 = 290;
/// Defaults for the limits that operators may configure.
pub const DEFAULT_MAX_PART_BYTES: u64 = 5 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 25_000_000;
/// What decoding one image to check it may allocate: a 4K screenshot in RGBA is 33 MiB.
pub const DEFAULT_MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;
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
    /// A picture a page may show (checked and decoded at intake); a PDF never is.
    pub fn is_image(self) -> bool {
        match self {
            Self::Jpeg | Self::Png => true,
            Self::Pdf => false,
        }
    }

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
    /// The most memory decoding one image to check it may take.
    pub max_decode_bytes: u64,
    /// The most pages a PDF may have.
    pub max_pdf_pages: u32,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        Self {
            max_part_bytes: DEFAULT_MAX_PART_BYTES,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
            max_decode_bytes: DEFAULT_MAX_DECODE_BYTES,
            max_pdf_pages: pdf::DEFAULT_MAX_PDF_PAGES,
        }
    }
}

/// A file that passed, and what of it is kept: for an image, the image alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted<'a> {
    pub file: InspectedFile,
    pub content: Cow<'a, [u8]>,
}

impl AttachmentPolicy {
    /// Checks a whole received file against the rules of its kind and returns what is to
    /// be kept of it. CPU work (an image is decoded in full): run it off async threads.
    pub fn inspect<'a>(
        &self,
        kind: AttachmentKind,
        content: &'a [u8],
    ) -> Result<Admitted<'a>, Problem> {
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
        let kept: Cow<'a, [u8]> = match (file_type, pixels) {
            (FileType::Jpeg | FileType::Png, Some(size)) => {
                let image = keep_only_the_image(file_type, content, size, self.max_decode_bytes)
                    .map_err(|fault| self.refused_image(kind, file_type, &fault))?;
                Cow::Owned(image)
            }
            _ => Cow::Borrowed(content),
        };
        Ok(Admitted {
            file: InspectedFile {
                file_type,
                byte_size: kept.len() as u64,
                pixels,
            },
            content: kept,
        })
    }

    fn refused_image(
        &self,
        kind: AttachmentKind,
        file_type: FileType,
        fault: &kept::ImageFault,
    ) -> Problem {
        let label = file_type.label();
        match fault {
            kept::ImageFault::Corrupt(_) => Problem::new(
                kind.code(),
                ProblemCode::AttachmentCorrupt,
                Message::new(
                    format!(
                        "{} rusak atau tidak lengkap: berkas {label} ini tidak dapat dibaca sampai akhir. Simpan ulang gambarnya (mis. ekspor ulang sebagai {label}) lalu unggah kembali.",
                        kind.title().id
                    ),
                    format!(
                        "The {} is damaged or incomplete: this {label} file cannot be read to its end. Save the image again (e.g. export it again as {label}) and upload it again.",
                        in_sentence(&kind.title().en)
                    ),
                ),
            ),
            kept::ImageFault::OverBudget => {
                let max = human_bytes(self.max_decode_bytes);
                Problem::new(
                    kind.code(),
                    ProblemCode::AttachmentDecodeBudget,
                    Message::new(
                        format!(
                            "{} terlalu besar untuk diperiksa (membacanya memerlukan lebih dari {max}). Perkecil gambarnya lalu unggah kembali.",
                            kind.title().id
                        ),
                        format!(
                            "The {} is too large to check (reading it needs more than {max}). Make the image smaller and upload it again.",
                            in_sentence(&kind.title().en)
                        ),
                    ),
                )
            }
        }
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
    match ::image::guess_format(content) {
        Ok(::image::ImageFormat::Jpeg) => Detected::Accepted(FileType::Jpeg),
        Ok(::image::ImageFormat::Png) => Detected::Accepted(FileType::Png),
        Ok(other) => {
            Detected::OtherImage(other.extensions_str().first().copied().unwrap_or("image"))
        }
        Err(_) => Detected::Unknown,
    }
}

impl AttachmentPolicy {
    /// Whether a PDF the reader inspected may be kept as `kind`.
    pub fn judge_pdf(
        &self,
        kind: AttachmentKind,
        inspection: &PdfInspection,
    ) -> Result<(), Problem> {
        let title = kind.title();
        let facts = match inspection {
            PdfInspection::Reported(PdfReading::Read(facts)) => facts,
            PdfInspection::Reported(PdfReading::Unreadable) => {
                return Err(unopenable_pdf(kind));
            }
            PdfInspection::Uncheckable => {
                return Err(Problem::new(
                    kind.code(),
                    ProblemCode::AttachmentTooComplex,
                    Message::new(
                        format!(
                            "{} tidak dapat diperiksa dalam batas waktu dan memori. Cetak ke PDF lalu unggah hasilnya, atau unggah pindaian JPG/PNG.",
                            title.id
                        ),
                        format!(
                            "The {} could not be checked within the time and memory allowed. Print it to PDF and upload the result, or upload a JPG/PNG scan.",
                            in_sentence(&title.en)
                        ),
                    ),
                ));
            }
        };
        if facts.encrypted {
            return Err(Problem::new(
                kind.code(),
                ProblemCode::AttachmentEncrypted,
                Message::new(
                    format!(
                        "{} dilindungi kata sandi, sehingga petugas RA tidak dapat memeriksanya. Simpan salinan tanpa perlindungan lalu unggah kembali.",
                        title.id
                    ),
                    format!(
                        "The {} is password-protected, so RA agents cannot check it. Save a copy without protection and upload that.",
                        in_sentence(&title.en)
                    ),
                ),
            ));
        }
        // After the lock: a locked letter shows no pages until it is opened, and the lock
        // is what its sender needs to hear of.
        if facts.pages == 0 {
            return Err(unopenable_pdf(kind));
        }
        if let Some(first) = facts.active_content.iter().min() {
            let found = first.described();
            return Err(Problem::new(
                kind.code(),
                ProblemCode::AttachmentActiveContent,
                Message::new(
                    format!(
                        "{} berisi {}. Surat cukup berisi halaman: cetak ke PDF lalu unggah hasilnya.",
                        title.id, found.id
                    ),
                    format!(
                        "The {} contains {}. A letter needs nothing but its pages: print it to PDF and upload the result.",
                        in_sentence(&title.en),
                        found.en
                    ),
                ),
            ));
        }
        if facts.pages > self.max_pdf_pages {
            let (pages, max) = (facts.pages, self.max_pdf_pages);
            return Err(Problem::new(
                kind.code(),
                ProblemCode::AttachmentTooManyPages,
                Message::new(
                    format!(
                        "{} berisi {pages} halaman; maksimal {max} halaman.",
                        title.id
                    ),
                    format!(
                        "The {} has {pages} pages; the most allowed is {max}.",
                        in_sentence(&title.en)
                    ),
                ),
            ));
        }
        Ok(())
    }
}

/// The image alone, as its own bytes, once it has decoded in full within `budget`; or
/// why it cannot be kept.
fn keep_only_the_image(
    file_type: FileType,
    content: &[u8],
    size: (u32, u32),
    budget: u64,
) -> Result<Vec<u8>, kept::ImageFault> {
    match file_type {
        FileType::Png => {
            let image = kept::png(content)?;
            kept::png_decodes_completely(&image, size, budget)?;
            Ok(image)
        }
        FileType::Jpeg => {
            let image = kept::jpeg(content)?;
            kept::jpeg_decodes_strictly(&image, size, budget)?;
            Ok(image)
        }
        FileType::Pdf => Err(kept::ImageFault::Corrupt("not an image")),
    }
}

/// A PDF the reader cannot open, or one without a page.
fn unopenable_pdf(kind: AttachmentKind) -> Problem {
    let title = kind.title();
    Problem::new(
        kind.code(),
        ProblemCode::AttachmentCorrupt,
        Message::new(
            format!(
                "{} rusak atau tidak lengkap: berkas PDF ini tidak dapat dibuka. Simpan ulang (mis. cetak ke PDF) lalu unggah kembali.",
                title.id
            ),
            format!(
                "The {} is damaged or incomplete: this PDF cannot be opened. Save it again (e.g. print it to PDF) and upload it again.",
                in_sentence(&title.en)
            ),
        ),
    )
}

/// Reads width and height from the image header only.
fn read_dimensions(file_type: FileType, content: &[u8]) -> Option<(u32, u32)> {
    match file_type {
        FileType::Png => {
            let mut limits = ::image::Limits::default();
            limits.max_alloc = Some(HEADER_READ_ALLOC_LIMIT);
            ::image::codecs::png::PngDecoder::with_limits(Cursor::new(content), limits)
                .ok()
                .map(|d| d.dimensions())
        }
        // Parses the segments up to the frame header; no scan data is decoded.
        FileType::Jpeg => ::image::codecs::jpeg::JpegDecoder::new(Cursor::new(content))
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
mod tests;
