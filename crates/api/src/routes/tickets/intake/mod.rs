//! Reading an intake request: a `multipart/form-data` body with one `ticket` part (JSON)
//! and one part per attachment. Every size is bounded while the body streams in; parts
//! that break a rule are drained and reported, so the answer can list every problem.
//!
//! - `parts.rs`: a multipart form read within its limits.
//! - `receive.rs`: an intake body read into what it holds, judging nothing.
//! - `fingerprint.rs`: what a request says, for idempotent retries.
//! - here: checking what was received against every rule.

mod fingerprint;
mod parts;
mod receive;

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use bytes::Bytes;
use certdesk_domain::{
    Accepted, Assessment, AttachmentKind, AttachmentPolicy, FileType, InspectedFile, Officer,
    OfficerLookup, Problem, Rejected, assess,
};
use certdesk_store::{ContentAddress, NewAttachment};

use crate::error::{ApiError, FieldRule};
use crate::state::AppState;
use parts::{Parts, TICKET_PART, drain, read_part};

pub use receive::{Received, receive};

/// A place among the uploads in flight, held until the request is answered: as many
/// KiB of the budget as the body declares (the body limit when it declares nothing).
/// When the budget is spent, the answer is 503 with Retry-After, before a byte is read.
pub fn admit_upload(
    state: &AppState,
    request: &HttpRequest,
) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let declared = parts::declared_length(request).unwrap_or(state.limits.max_body_bytes);
    let bytes = declared.min(state.limits.max_body_bytes).max(1);
    let permits =
        u32::try_from(bytes.div_ceil(crate::state::UPLOAD_PERMIT_BYTES)).unwrap_or(u32::MAX);
    let available = state.uploads.available_permits();
    state
        .uploads
        .clone()
        .try_acquire_many_owned(permits)
        .map_err(|_| {
            tracing::warn!(
                wanted_kib = permits,
                available_kib = available,
                "upload refused: the in-flight budget is spent"
            );
            ApiError::ServerBusy {
                retry_after_secs: 2,
            }
        })
}

/// The outcome of checking an intake request against every rule.
pub enum Checked {
    Accepted {
        // Boxed: a submission is large next to a list of problems.
        accepted: Box<Accepted>,
        attachments: Vec<NewAttachment>,
    },
    Rejected(Rejected),
}

/// Inspects and assesses a received intake request against every rule, the officers'
/// directory included. Stores nothing.
pub async fn check(state: &AppState, received: Received) -> Result<Checked, ApiError> {
    let Received {
        draft,
        files,
        oversized,
        unknown_parts,
        duplicate_ticket_part,
        fingerprint: _,
    } = received;

    let mut assessment = match draft {
        Some(Ok(draft)) => assess(&draft, state.intake_rules()),
        Some(Err(problem)) => Assessment::unreadable(problem),
        None => Assessment::unreadable(Problem::at(TICKET_PART, &FieldRule::TicketPartMissing)),
    };
    if duplicate_ticket_part {
        assessment.record_duplicate_part(TICKET_PART);
    }
    for name in &unknown_parts {
        assessment.record_unknown_part(name);
    }
    for kind in oversized {
        assessment.record_file(kind, Err(state.attachments.too_large(kind)));
    }

    // Header reading and hashing are CPU work: keep them off the async threads.
    let policy = state.attachments;
    // Decoding images is the memory peak of a check: a few at a time.
    let _decoding = state.decoding.acquire().await.map_err(ApiError::internal)?;
    let mut inspected = web::block(move || inspect_all(policy, files))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("inspection task failed: {e}")))?;
    read_pdfs(state, &mut inspected).await?;
    let mut contents = BTreeMap::new();
    for (kind, outcome, content) in inspected {
        if let Some(content) = content {
            contents.entry(kind).or_insert(content);
        }
        assessment.record_file(kind, outcome);
    }

    let officer = match assessment.responsible_officer_nip() {
        Some(nip) => {
            let entry = state
                .store
                .directory_entry::<Officer>(nip, state.intake_rules())
                .await?;
            let lookup = OfficerLookup::from(entry);
            if lookup == OfficerLookup::Outdated {
                tracing::warn!(officer = %nip, "officer directory entry no longer passes the rules");
            }
            lookup
        }
        None => OfficerLookup::NotFound,
    };

    let checked = match assessment.conclude(&officer) {
        Ok(accepted) => {
            let attachments = accepted
                .files
                .iter()
                .filter_map(|(kind, inspected)| {
                    let (content, address) = contents.remove(kind)?;
                    Some(NewAttachment {
                        kind: *kind,
                        inspected: *inspected,
                        address,
                        content,
                    })
                })
                .collect();
            Checked::Accepted {
                accepted: Box::new(accepted),
                attachments,
            }
        }
        Err(rejected) => Checked::Rejected(rejected),
    };
    Ok(checked)
}

/// Reads a body holding one file part named after `kind` (the replacement of one
/// attachment), inspects it and returns it ready to store, or the problems found.
pub async fn check_one(
    state: &AppState,
    request: &HttpRequest,
    body: Multipart,
    kind: AttachmentKind,
) -> Result<Result<NewAttachment, Vec<Problem>>, ApiError> {
    let limits = &state.limits;
    let mut parts = Parts::new(request, body, limits)?;
    let mut assessment = Assessment::files_only();
    let mut content = None;
    while let Some((name, mut part)) = parts.next().await? {
        if name != kind.code() {
            drain(&mut part, &mut parts.budget).await?;
            assessment.record_unknown_part(if name.is_empty() {
                "(unnamed part)"
            } else {
                &name
            });
            continue;
        }
        match read_part(&mut part, limits.max_part_bytes, &mut parts.budget).await? {
            Some(bytes) if content.is_none() => content = Some(bytes),
            Some(_) => assessment.record_duplicate_part(kind.code()),
            None => assessment.record_file(kind, Err(state.attachments.too_large(kind))),
        }
    }
    let Some(content) = content else {
        let mut problems = assessment.into_problems();
        problems.push(Problem::required(kind.code()));
        return Ok(Err(problems));
    };
    let policy = state.attachments;
    let _decoding = state.decoding.acquire().await.map_err(ApiError::internal)?;
    let mut inspected = web::block(move || inspect_all(policy, vec![(kind, content)]))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("inspection task failed: {e}")))?;
    read_pdfs(state, &mut inspected).await?;
    let (kind, outcome, kept) = inspected
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no inspection result")))?;
    assessment.record_file(kind, outcome.clone());
    let problems = assessment.into_problems();
    match (problems.is_empty(), outcome, kept) {
        (true, Ok(inspected), Some((content, address))) => Ok(Ok(NewAttachment {
            kind,
            inspected,
            address,
            content,
        })),
        _ => Ok(Err(problems)),
    }
}

type Inspected = (
    AttachmentKind,
    Result<InspectedFile, Problem>,
    Option<(Bytes, ContentAddress)>,
);

/// Has the PDF reader read each PDF that passed its first checks (one after the other,
/// under the caller's decoding permit); one the desk refuses loses its content.
async fn read_pdfs(state: &AppState, inspected: &mut [Inspected]) -> Result<(), ApiError> {
    for (kind, outcome, kept) in inspected.iter_mut() {
        let (Ok(file), Some((content, _))) = (&*outcome, &*kept) else {
            continue;
        };
        if file.file_type != FileType::Pdf {
            continue;
        }
        let inspection = state
            .pdf_reader
            .inspect(content.clone())
            .await
            .map_err(ApiError::from)?;
        if let Err(problem) = state.attachments.judge_pdf(*kind, &inspection) {
            *outcome = Err(problem);
            *kept = None;
        }
    }
    Ok(())
}

/// Inspects each file; what is kept of one that passes (for an image, the image alone)
/// is hashed and returned for storing.
fn inspect_all(policy: AttachmentPolicy, files: Vec<(AttachmentKind, Bytes)>) -> Vec<Inspected> {
    files
        .into_iter()
        .map(|(kind, content)| match policy.inspect(kind, &content) {
            Ok(admitted) => {
                let kept = match admitted.content {
                    // Unchanged: the received buffer itself, no copy.
                    std::borrow::Cow::Borrowed(_) => content.clone(),
                    std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
                };
                let address = ContentAddress::of(&kept);
                (kind, Ok(admitted.file), Some((kept, address)))
            }
            Err(problem) => (kind, Err(problem), None),
        })
        .collect()
}
