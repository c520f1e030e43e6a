//! What a PDF letter must be: a document an RA agent can open, of a few pages, holding
//! nothing but its pages.
//!
//! Reading a PDF means parsing hostile bytes with a large parser, so it is not done
//! here, nor in the server's process: `certdesk inspect-pdf` reads one file in a child
//! process whose memory, CPU time and files are limited, and reports a `PdfReading`.
//! This module holds that report's vocabulary; what the desk makes of it is
//! `AttachmentPolicy::judge_pdf`.

use serde::{Deserialize, Serialize};

use crate::problem::Message;

/// The most pages a letter may have unless an operator says otherwise: a
/// recommendation letter is a page or two.
pub const DEFAULT_MAX_PDF_PAGES: u32 = 20;

/// The most a report may be: a few names and numbers. The reader writes no more, and the
/// server reads no more.
pub const REPORT_MAX_BYTES: u64 = 64 * 1024;

/// What the reader found, as it crosses from the child process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PdfReading {
    /// The document opened.
    Read(PdfFacts),
    /// Not a document a reader could open: its structure is broken.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfFacts {
    pub pages: u32,
    /// Protected by a password (even an empty one): the RA may be unable to open it,
    /// and what is inside cannot be checked.
    pub encrypted: bool,
    /// Everything found that would do something rather than show something.
    pub active_content: Vec<ActiveContent>,
}

/// Content that acts: what a letter never needs and an attacker always wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActiveContent {
    JavaScript,
    /// An action that starts a program or opens another file.
    Launch,
    EmbeddedFile,
    XfaForm,
    /// Flash, video, sound, 3D.
    RichMedia,
    /// A form that sends or imports data.
    SubmitForm,
    /// An action that runs by itself, without a click: on opening the document (other
    /// than going to a page), or on a page, field or annotation event (`/AA`).
    AutomaticAction,
}

impl ActiveContent {
    /// What it is, for a person, in both languages.
    pub(crate) fn described(self) -> Message {
        match self {
            Self::JavaScript => Message::new("JavaScript", "JavaScript"),
            Self::Launch => Message::new(
                "perintah untuk menjalankan program atau membuka berkas lain",
                "an action that starts a program or opens another file",
            ),
            Self::EmbeddedFile => Message::new("berkas tersemat", "embedded files"),
            Self::XfaForm => Message::new("formulir XFA", "an XFA form"),
            Self::RichMedia => Message::new(
                "media (Flash, video, suara atau 3D)",
                "media (Flash, video, sound or 3D)",
            ),
            Self::SubmitForm => Message::new(
                "formulir yang mengirim atau mengambil data",
                "a form that sends or fetches data",
            ),
            Self::AutomaticAction => Message::new(
                "tindakan yang berjalan sendiri saat berkas atau halamannya dibuka",
                "an action that runs by itself when the file or a page is opened",
            ),
        }
    }
}

/// How the inspection of one PDF ended, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfInspection {
    /// The reader finished and reported.
    Reported(PdfReading),
    /// The reader ran out of time or memory, or crashed: nobody can vouch for the file.
    Uncheckable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_reads_back_as_it_was_written() {
        let reading = PdfReading::Read(PdfFacts {
            pages: 2,
            encrypted: false,
            active_content: vec![ActiveContent::XfaForm],
        });
        let json = serde_json::to_string(&reading).unwrap();
        assert_eq!(
            json,
            r#"{"outcome":"read","pages":2,"encrypted":false,"active_content":["xfa_form"]}"#
        );
        assert_eq!(serde_json::from_str::<PdfReading>(&json).unwrap(), reading);
    }
}
