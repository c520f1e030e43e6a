//! `certdesk inspect-pdf`: reads one PDF from standard input and prints what it holds
//! (`PdfReading`, as JSON) on standard output. The server runs it as a child process for
//! every PDF uploaded, so that a parser fed hostile bytes can only take itself down.
//!
//! Before reading a byte it limits itself: address space (an allocation past it fails,
//! and the process aborts), CPU seconds (SIGXCPU, then SIGKILL), no core dump (the file
//! may be a person's letter), no file written beyond the report and none opened. The
//! server starts it with an empty environment and kills it when its time is up.

use std::io::{Read, Write};
use std::process::ExitCode;

use certdesk_domain::attachment::pdf::{ActiveContent, PdfFacts, PdfReading, REPORT_MAX_BYTES};
use lopdf::{Document, LoadOptions, Object};
use rlimit::Resource;

/// The limits the server asks for, on the command line.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct InspectLimits {
    /// Address space, in bytes.
    #[arg(long)]
    memory_bytes: u64,
    /// CPU time, in seconds.
    #[arg(long)]
    cpu_secs: u64,
    /// The largest input read; beyond it the file is reported unreadable.
    #[arg(long)]
    max_bytes: u64,
}

pub fn run(limits: InspectLimits) -> ExitCode {
    if let Err(error) = limit_myself(&limits) {
        // Never parse without the limits.
        eprintln!("certdesk inspect-pdf: cannot set limits: {error}");
        return ExitCode::from(3);
    }
    let mut content = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut content);
    if read.is_err() {
        return ExitCode::from(4);
    }
    let reading = if content.len() as u64 > limits.max_bytes {
        PdfReading::Unreadable
    } else {
        // A stream that would inflate past a quarter of the memory allowed is refused by
        // the parser, well before the allocation that would abort the process.
        let inflate_limit = usize::try_from(limits.memory_bytes / 4).unwrap_or(usize::MAX);
        inspect(&content, inflate_limit)
    };
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &reading).map_err(std::io::Error::from);
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(5),
    }
}

fn limit_myself(limits: &InspectLimits) -> std::io::Result<()> {
    Resource::CORE.set(0, 0)?;
    Resource::AS.set(limits.memory_bytes, limits.memory_bytes)?;
    Resource::CPU.set(limits.cpu_secs, limits.cpu_secs.saturating_add(1))?;
    // Room for the report, should standard output be a file; nothing more.
    Resource::FSIZE.set(REPORT_MAX_BYTES, REPORT_MAX_BYTES)?;
    // Standard input, output and error are open already; nothing else may be.
    Resource::NOFILE.set(3, 3)?;
    Ok(())
}

/// What a PDF holds, or that it cannot be opened; no stream may inflate past
/// `inflate_limit` bytes.
pub fn inspect(content: &[u8], inflate_limit: usize) -> PdfReading {
    let options = LoadOptions {
        max_decompressed_size: Some(inflate_limit),
        ..LoadOptions::default()
    };
    let Ok(document) = Document::load_mem_with_options(content, options) else {
        return PdfReading::Unreadable;
    };
    let pages = u32::try_from(document.page_iter().count()).unwrap_or(u32::MAX);
    let mut active = std::collections::BTreeSet::new();
    // Every object, those unpacked from compressed object streams included.
    for object in document.objects.values() {
        acting_parts(&document, object, &mut active);
    }
    PdfReading::Read(PdfFacts {
        pages,
        encrypted: document.was_encrypted() || document.is_encrypted(),
        active_content: active.into_iter().collect(),
    })
}

/// Collects what in `object`, and in everything written inside it, acts rather than
/// shows. Walks with its own stack: nesting is the file's choice, not ours.
fn acting_parts(
    document: &Document,
    object: &Object,
    found: &mut std::collections::BTreeSet<ActiveContent>,
) {
    let mut pending = vec![object];
    while let Some(object) = pending.pop() {
        let dictionary = match object {
            Object::Dictionary(dictionary) => dictionary,
            Object::Stream(stream) => &stream.dict,
            Object::Array(items) => {
                pending.extend(items);
                continue;
            }
            _ => continue,
        };
        for (key, value) in dictionary.iter() {
            let name = value.as_name().ok();
            match (key.as_slice(), name) {
                (b"JS" | b"JavaScript", _) | (b"S", Some(b"JavaScript")) => {
                    found.insert(ActiveContent::JavaScript);
                }
                (b"S", Some(b"Launch" | b"GoToE" | b"GoToR")) => {
                    found.insert(ActiveContent::Launch);
                }
                (b"S", Some(b"SubmitForm" | b"ImportData")) => {
                    found.insert(ActiveContent::SubmitForm);
                }
                (b"S", Some(b"Rendition" | b"Movie" | b"Sound" | b"RichMediaExecute")) => {
                    found.insert(ActiveContent::RichMedia);
                }
                (b"EmbeddedFiles" | b"EF", _) | (b"Type", Some(b"EmbeddedFile")) => {
                    found.insert(ActiveContent::EmbeddedFile);
                }
                (b"XFA", _) => {
                    found.insert(ActiveContent::XfaForm);
                }
                (b"Subtype", Some(b"RichMedia" | b"Movie" | b"Sound" | b"Screen" | b"3D")) => {
                    found.insert(ActiveContent::RichMedia);
                }
                (b"AA", _) => {
                    found.insert(ActiveContent::AutomaticAction);
                }
                // Opening at a page is what a viewer does anyway; any other action on
                // opening (a link to follow, a named menu command) runs unasked.
                (b"OpenAction", _) if !goes_to_a_page(document, value) => {
                    found.insert(ActiveContent::AutomaticAction);
                }
                _ => {}
            }
            pending.push(value);
        }
    }
}

/// Whether an `/OpenAction` only shows a page: a destination array, or a `GoTo` action.
fn goes_to_a_page(document: &Document, value: &Object) -> bool {
    let value = match value {
        Object::Reference(id) => match document.get_object(*id) {
            Ok(object) => object,
            Err(_) => return false,
        },
        other => other,
    };
    match value {
        Object::Array(_) => true,
        Object::Dictionary(action) => {
            matches!(action.get(b"S").and_then(Object::as_name), Ok(b"GoTo"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMIT: usize = 16 << 20;

    fn letter(catalog_extra: &str) -> Vec<u8> {
        let objects = [
            format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
        ];
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (index, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", index + 1).bytes());
        }
        let xref = out.len();
        out.extend(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        out.extend(
            format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes(),
        );
        out
    }

    fn found(catalog_extra: &str) -> Vec<ActiveContent> {
        match inspect(&letter(catalog_extra), LIMIT) {
            PdfReading::Read(facts) => facts.active_content,
            PdfReading::Unreadable => panic!("the letter did not read: {catalog_extra}"),
        }
    }

    #[test]
    fn opening_at_a_page_is_not_an_action_but_anything_else_on_opening_is() {
        assert_eq!(found(""), []);
        assert_eq!(found("/OpenAction [3 0 R /Fit]"), []);
        assert_eq!(found("/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"), []);
        assert_eq!(
            found("/OpenAction << /S /URI /URI (http://example.invalid/) >>"),
            [ActiveContent::AutomaticAction]
        );
        assert_eq!(
            found("/OpenAction << /S /Named /N /Print >>"),
            [ActiveContent::AutomaticAction]
        );
        assert_eq!(
            found("/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>"),
            [ActiveContent::AutomaticAction]
        );
        assert_eq!(
            found("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            [ActiveContent::JavaScript, ActiveContent::AutomaticAction]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut content = b"%PDF-1.7\n".to_vec();
            content.extend(bytes);
            let _ = inspect(&content, LIMIT);
        }

        #[test]
        fn a_damaged_letter_never_panics_the_reader(
            damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut content = letter("/OpenAction [3 0 R /Fit]");
            for (at, byte) in damage {
                let at = at.index(content.len());
                content[at] = byte;
            }
            content.truncate(cut.index(content.len()) + 1);
            let _ = inspect(&content, LIMIT);
        }
    }
}
