//! What is kept of an uploaded image: the image and nothing else.
//!
//! A scan an RA agent opens must be only a scan. The file is cut down to what renders the
//! image: for PNG the chunks that draw it (and its colour profile), for JPEG the segments
//! a decoder needs (and its colour profile, and the Adobe marker that says how to read
//! CMYK); text, EXIF (GPS included), comments, other applications' segments, a second
//! animation and anything after the end are dropped. Nothing is re-encoded: the bytes
//! kept are the bytes sent, so the pixels are identical. What is kept must then decode
//! completely within a memory budget, or the file is refused as damaged.

use std::io::Cursor;

use image::{ImageDecoder, ImageReader};

/// Why an image was refused after its header passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ImageFault {
    /// Damaged, truncated, or not what its header says. The detail is for tests and
    /// developers, never shown: it may quote the file.
    Corrupt(&'static str),
    /// Decoding it would need more memory than a check may take.
    OverBudget,
}

/// Decodes every pixel of a PNG, with at most `budget` bytes allocated, and throws them
/// away.
pub(super) fn png_decodes_completely(
    content: &[u8],
    (width, height): (u32, u32),
    budget: u64,
) -> Result<(), ImageFault> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(budget);
    let mut reader = ImageReader::with_format(Cursor::new(content), image::ImageFormat::Png);
    reader.limits(limits);
    let decoder = reader
        .into_decoder()
        .map_err(|_| ImageFault::Corrupt("the decoder does not start"))?;
    if decoder.dimensions() != (width, height) {
        return Err(ImageFault::Corrupt("the size changed between readings"));
    }
    if decoder.total_bytes() > budget {
        return Err(ImageFault::OverBudget);
    }
    let mut pixels =
        vec![0u8; usize::try_from(decoder.total_bytes()).map_err(|_| ImageFault::OverBudget)?];
    decoder
        .read_image(&mut pixels)
        .map_err(|error| match error {
            image::ImageError::Limits(_) => ImageFault::OverBudget,
            _ => ImageFault::Corrupt("the pixels do not decode"),
        })
}

/// zune-jpeg in strict mode: a scan cut short, a marker where none belongs, or bytes left
/// over between a scan and the next marker are errors, not grey pixels.
pub(super) fn jpeg_decodes_strictly(
    content: &[u8],
    (width, height): (u32, u32),
    budget: u64,
) -> Result<(), ImageFault> {
    use zune_core::bytestream::ZCursor;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(width as usize)
        .set_max_height(height as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(content), options);
    decoder
        .decode_headers()
        .map_err(|_| ImageFault::Corrupt("the headers do not decode"))?;
    let size = decoder
        .output_buffer_size()
        .ok_or(ImageFault::Corrupt("no output size"))?;
    if size as u64 > budget {
        return Err(ImageFault::OverBudget);
    }
    let mut pixels = vec![0u8; size];
    decoder
        .decode_into(&mut pixels)
        .map_err(|_| ImageFault::Corrupt("the pixels do not decode"))
}

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// The chunks that draw a PNG: the critical ones, transparency, and what says how to
/// show its colours.
const PNG_KEPT: [&[u8; 4]; 10] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
];
/// A colour profile is a few hundred kilobytes at most; more is not a profile.
const PNG_MAX_PROFILE: usize = 1024 * 1024;

/// A PNG cut down to the chunks that draw it.
pub(super) fn png(content: &[u8]) -> Result<Vec<u8>, ImageFault> {
    let body = content
        .strip_prefix(PNG_SIGNATURE)
        .ok_or(ImageFault::Corrupt("no PNG signature"))?;
    let mut kept = PNG_SIGNATURE.to_vec();
    let mut rest = body;
    let mut first = true;
    loop {
        if rest.len() < 12 {
            return Err(ImageFault::Corrupt("the file ends inside a chunk"));
        }
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind: [u8; 4] = [rest[4], rest[5], rest[6], rest[7]];
        let total = 12usize
            .checked_add(length)
            .filter(|total| *total <= rest.len())
            .ok_or(ImageFault::Corrupt("a chunk runs past the end of the file"))?;
        let chunk = &rest[..total];
        let stored_crc = u32::from_be_bytes([
            chunk[total - 4],
            chunk[total - 3],
            chunk[total - 2],
            chunk[total - 1],
        ]);
        if crc32fast::hash(&chunk[4..total - 4]) != stored_crc {
            return Err(ImageFault::Corrupt("a chunk's checksum is wrong"));
        }
        if first && &kind != b"IHDR" {
            return Err(ImageFault::Corrupt("the first chunk is not IHDR"));
        }
        first = false;
        let critical = kind[0].is_ascii_uppercase();
        if PNG_KEPT.contains(&&kind) {
            if &kind == b"iCCP" && !profile_fits(&chunk[8..total - 4]) {
                return Err(ImageFault::Corrupt(
                    "a colour profile larger than any profile",
                ));
            }
            kept.extend_from_slice(chunk);
        } else if critical {
            return Err(ImageFault::Corrupt("an unknown critical chunk"));
        }
        rest = &rest[total..];
        if &kind == b"IEND" {
            // Whatever follows the end is not part of the image.
            return Ok(kept);
        }
    }
}

/// Whether an iCCP chunk's profile (a name, a NUL, the method, then zlib data) is at
/// most `PNG_MAX_PROFILE` once inflated. Kept, a larger one would be inflated by every
/// viewer that opens the scan: a bomb for the agent's machine rather than ours.
fn profile_fits(data: &[u8]) -> bool {
    if data.len() > PNG_MAX_PROFILE {
        return false;
    }
    let Some(name_end) = data.iter().take(80).position(|b| *b == 0) else {
        return false;
    };
    let Some(compressed) = data.get(name_end + 2..) else {
        return false;
    };
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, PNG_MAX_PROFILE).is_ok()
}

/// The markers whose segments a JPEG decoder needs: the frame headers, Huffman and
/// quantisation tables, arithmetic-coding conditioning, restart interval, the scans,
/// and the line count.
fn jpeg_needs(marker: u8) -> bool {
    matches!(marker,
        0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF // SOFn
        | 0xC4 | 0xCC | 0xDB | 0xDD | 0xDA | 0xDC)
}

/// Application segments that decide how the pixels look: JFIF's colour space, the ICC
/// profile, and Adobe's colour transform (which tells a decoder how to read CMYK).
fn jpeg_keeps_application(marker: u8, data: &[u8]) -> bool {
    match marker {
        0xE0 => data.starts_with(b"JFIF\0"),
        0xE2 => data.starts_with(b"ICC_PROFILE\0"),
        0xEE => data.starts_with(b"Adobe"),
        _ => false,
    }
}

/// A JPEG cut down to the segments a decoder needs.
pub(super) fn jpeg(content: &[u8]) -> Result<Vec<u8>, ImageFault> {
    if !content.starts_with(&[0xFF, 0xD8]) {
        return Err(ImageFault::Corrupt("no JPEG start marker"));
    }
    let mut kept = vec![0xFF, 0xD8];
    let mut at = 2;
    let mut frames = 0;
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        if content.get(at) != Some(&0xFF) {
            return Err(ImageFault::Corrupt(
                "a segment does not start with a marker",
            ));
        }
        while content.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *content
            .get(at)
            .ok_or(ImageFault::Corrupt("the file ends before its end marker"))?;
        at += 1;
        match marker {
            0xD9 => {
                kept.extend_from_slice(&[0xFF, 0xD9]);
                // Whatever follows the end is not part of the image.
                return if frames == 1 {
                    Ok(kept)
                } else {
                    Err(ImageFault::Corrupt("not exactly one frame"))
                };
            }
            0xD8 | 0x00 => return Err(ImageFault::Corrupt("a start marker inside the image")),
            0x01 | 0xD0..=0xD7 => kept.extend_from_slice(&[0xFF, marker]),
            _ => {
                let length = content
                    .get(at..at + 2)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                    .filter(|length| *length >= 2)
                    .ok_or(ImageFault::Corrupt("a segment without a length"))?;
                let segment = content.get(at..at + length).ok_or(ImageFault::Corrupt(
                    "a segment runs past the end of the file",
                ))?;
                let data = &segment[2..];
                if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                    frames += 1;
                }
                if jpeg_needs(marker) || jpeg_keeps_application(marker, data) {
                    kept.extend_from_slice(&[0xFF, marker]);
                    kept.extend_from_slice(segment);
                }
                at += length;
                if marker == 0xDA {
                    // The scan's entropy-coded data runs to the next marker that is not a
                    // stuffed zero or a restart.
                    let scan_end = scan_end(content, at)?;
                    kept.extend_from_slice(&content[at..scan_end]);
                    at = scan_end;
                }
            }
        }
    }
}

fn scan_end(content: &[u8], from: usize) -> Result<usize, ImageFault> {
    let mut at = from;
    while at + 1 < content.len() {
        if content[at] == 0xFF {
            let next = content[at + 1];
            if next != 0x00 && !(0xD0..=0xD7).contains(&next) && next != 0xFF {
                return Ok(at);
            }
        }
        at += 1;
    }
    Err(ImageFault::Corrupt("a scan runs to the end of the file"))
}
