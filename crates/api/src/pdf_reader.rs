//! Reading PDF letters out of the server's process: each one is handed to
//! `certdesk inspect-pdf` in a child process that limits its own memory and CPU time,
//! gets an empty environment (no database URL, no keys) and is killed when its time is
//! up. Whatever the file does to the parser, the server only sees a report, an exit
//! status or a timeout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use certdesk_domain::attachment::pdf::{PdfInspection, PdfReading, REPORT_MAX_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::settings::PdfSettings;

/// A one-page letter the reader must find readable: checked at start, so that a reader
/// that cannot run is found by whoever deploys, not by the first person with a letter.
const SELF_CHECK: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";

#[derive(Debug, Clone)]
pub struct PdfReader {
    program: PathBuf,
    timeout: Duration,
    memory_bytes: u64,
    max_bytes: u64,
}

impl PdfReader {
    /// The reader `settings` name (this program unless told otherwise), for files of at
    /// most `max_bytes`.
    pub fn new(settings: &PdfSettings, max_bytes: u64) -> anyhow::Result<Self> {
        let program = match &settings.reader {
            Some(path) => path.clone(),
            None => std::env::current_exe()?,
        };
        Ok(Self {
            program,
            timeout: Duration::from_secs(settings.timeout_secs.max(1)),
            memory_bytes: settings.memory_bytes,
            max_bytes,
        })
    }

    /// Runs the reader on a known-good letter; an error says what to fix.
    pub async fn check_works(&self) -> anyhow::Result<()> {
        match self.inspect(Bytes::from_static(SELF_CHECK)).await? {
            PdfInspection::Reported(PdfReading::Read(facts)) if facts.pages == 1 => Ok(()),
            other => anyhow::bail!(
                "the PDF reader `{} inspect-pdf` does not read a plain one-page letter (it answered {other:?}); \
                 check pdf.reader, and that pdf.memory_bytes ({}) leaves room for the program itself",
                self.program.display(),
                self.memory_bytes
            ),
        }
    }

    /// Reads one PDF in a child process. An error means the reader could not be run at
    /// all (the server's fault); anything the file can cause is a `PdfInspection`.
    pub async fn inspect(&self, content: Bytes) -> anyhow::Result<PdfInspection> {
        let started = Instant::now();
        let cpu_secs = self.timeout.as_secs().max(1);
        let mut child = tokio::process::Command::new(&self.program)
            .arg("inspect-pdf")
            .arg("--memory-bytes")
            .arg(self.memory_bytes.to_string())
            .arg("--cpu-secs")
            .arg(cpu_secs.to_string())
            .arg("--max-bytes")
            .arg(self.max_bytes.to_string())
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // What a parser says about a file may quote the file.
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                anyhow::anyhow!(
                    "cannot start the PDF reader `{} inspect-pdf`: {error}",
                    self.program.display()
                )
            })?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            anyhow::bail!("the PDF reader started without its pipes");
        };
        let reading = async move {
            let feed = async move {
                // A reader that stops reading (it died, or has seen enough) closes the
                // pipe; that is its exit status's story, not an error here.
                let _ = stdin.write_all(&content).await;
                drop(stdin);
            };
            let collect = async move {
                let mut report = Vec::new();
                let _ = stdout.take(REPORT_MAX_BYTES).read_to_end(&mut report).await;
                report
            };
            let ((), report) = tokio::join!(feed, collect);
            (child.wait().await, report)
        };
        let outcome = match tokio::time::timeout(self.timeout, reading).await {
            // Dropping the future drops the child, which kills it.
            Err(_) => {
                tracing::warn!(
                    timeout_secs = self.timeout.as_secs(),
                    "PDF reader ran out of time; killed"
                );
                PdfInspection::Uncheckable
            }
            Ok((Err(error), _)) => anyhow::bail!("waiting for the PDF reader: {error}"),
            Ok((Ok(status), report)) if status.success() => {
                match serde_json::from_slice::<PdfReading>(&report) {
                    Ok(reading) => PdfInspection::Reported(reading),
                    Err(error) => {
                        tracing::error!(%error, "PDF reader's report does not read");
                        PdfInspection::Uncheckable
                    }
                }
            }
            Ok((Ok(status), _)) => {
                // An exit by a signal is a crash, an abort (memory) or SIGXCPU/SIGKILL
                // (CPU time): the file took the reader down.
                use std::os::unix::process::ExitStatusExt;
                tracing::warn!(code = ?status.code(), signal = ?status.signal(), "PDF reader failed on a file");
                PdfInspection::Uncheckable
            }
        };
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "PDF read"
        );
        Ok(outcome)
    }
}
