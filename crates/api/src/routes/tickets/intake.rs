//! Reading an intake request: a `multipart/form-data` body with one `ticket` part (JSON)
//! and one part per attachment. Every size is bounded while the body streams in; parts
//! that break a rule are drained and reported, so the answer can list every problem.

use std::collections::BTreeMap;

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use bytes::{Bytes, BytesMut};
use certdesk_domain::{
    Accepted, Assessment, AttachmentKind, AttachmentPolicy, InspectedFile, Message, OfficerLookup,
    Problem, ProblemCode, Rejected, TicketDraft, assess,
};
use certdesk_store::{ContentAddress, NewAttachment};
use futures_util::StreamExt;

use crate::config::LimitSettings;
use crate::error::{ApiError, IDEMPOTENCY_KEY};
use crate::state::AppState;
use sha2::{Digest, Sha256};

const TICKET_PART: &str = "ticket";
/// More parts than any honest form has (one `ticket`, five files); the cap keeps a flood
/// of tiny parts from costing memory and an endless list of problems.
const MAX_PARTS: usize = 16;

/// An intake body as received, before any rule is applied.
pub struct Received {
    draft: Option<Result<TicketDraft, Problem>>,
    files: Vec<(AttachmentKind, Bytes)>,
    oversized: Vec<AttachmentKind>,
    unknown_parts: Vec<String>,
    duplicate_ticket_part: bool,
    /// What the request says, when it came with an `Idempotency-Key`.
    fingerprint: Option<String>,
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

impl Received {
    /// What the request says, independent of its framing; computed only when it came
    /// with an `Idempotency-Key`.
    pub fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }
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
        None => Assessment::unreadable(Problem::new(
            TICKET_PART,
            ProblemCode::Required,
            Message::new(
                "Bagian `ticket` (JSON berisi data tiket) wajib ada.",
                "The `ticket` part (JSON with the ticket's data) is required.",
            ),
        )),
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
    let inspected = web::block(move || inspect_all(policy, files))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("inspection task failed: {e}")))?;
    let mut contents = BTreeMap::new();
    for (kind, outcome, content) in inspected {
        if let Some(content) = content {
            contents.entry(kind).or_insert(content);
        }
        assessment.record_file(kind, outcome);
    }

    let officer = match assessment.responsible_officer_nip() {
        Some(nip) => {
            let row = state.store.officer(nip).await?;
            let lookup = OfficerLookup::from_row(row.as_ref(), &state.units, &state.email_domains);
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
    mut body: Multipart,
    kind: AttachmentKind,
) -> Result<Result<NewAttachment, Vec<Problem>>, ApiError> {
    let limits = &state.limits;
    if declared_length(request).is_some_and(|length| length > limits.max_body_bytes) {
        return Err(ApiError::PayloadTooLarge {
            limit: Some(limits.max_body_bytes),
        });
    }
    let mut budget = BodyBudget {
        used: 0,
        limit: limits.max_body_bytes,
    };
    let mut assessment = Assessment::files_only();
    let mut content = None;
    let mut parts = 0;
    while let Some(part) = body.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(too_many_parts());
        }
        let mut part = part.map_err(multipart_error)?;
        let name = part.name().unwrap_or_default().to_owned();
        if name != kind.code() {
            drain(&mut part, &mut budget).await?;
            assessment.record_unknown_part(if name.is_empty() {
                "(unnamed part)"
            } else {
                &name
            });
            continue;
        }
        match read_part(&mut part, limits.max_part_bytes, &mut budget).await? {
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
    let mut inspected = web::block(move || inspect_all(policy, vec![(kind, content)]))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("inspection task failed: {e}")))?;
    let (kind, outcome, kept) = inspected
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no inspection result")))?;
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

fn declared_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

type Inspected = (
    AttachmentKind,
    Result<InspectedFile, Problem>,
    Option<(Bytes, ContentAddress)>,
);

fn inspect_all(policy: AttachmentPolicy, files: Vec<(AttachmentKind, Bytes)>) -> Vec<Inspected> {
    files
        .into_iter()
        .map(|(kind, content)| {
            let outcome = policy.inspect(kind, &content);
            // Only files that passed are hashed and kept.
            let kept = outcome.is_ok().then(|| {
                let address = ContentAddress::of(&content);
                (content, address)
            });
            (kind, outcome, kept)
        })
        .collect()
}

/// Reads an intake body within the limits, part by part, without judging it: that is
/// [`check`]'s work, which a replayed idempotent request never needs.
pub async fn receive(
    request: &HttpRequest,
    mut body: Multipart,
    limits: &LimitSettings,
) -> Result<Received, ApiError> {
    if declared_length(request).is_some_and(|length| length > limits.max_body_bytes) {
        return Err(ApiError::PayloadTooLarge {
            limit: Some(limits.max_body_bytes),
        });
    }

    let mut received = Received {
        draft: None,
        files: Vec::new(),
        oversized: Vec::new(),
        unknown_parts: Vec::new(),
        duplicate_ticket_part: false,
        fingerprint: None,
    };
    let mut fingerprint = request
        .headers()
        .contains_key(IDEMPOTENCY_KEY)
        .then(Fingerprint::default);
    let mut budget = BodyBudget {
        used: 0,
        limit: limits.max_body_bytes,
    };
    let mut parts = 0;
    while let Some(part) = body.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(too_many_parts());
        }
        let mut part = part.map_err(multipart_error)?;
        let name = part.name().unwrap_or_default().to_owned();
        if name == TICKET_PART {
            let content = read_part(&mut part, limits.max_ticket_json_bytes, &mut budget).await?;
            if let Some(fingerprint) = &mut fingerprint {
                fingerprint.ticket_part(content.as_deref());
            }
            if received.draft.is_some() {
                received.duplicate_ticket_part = true;
                continue;
            }
            received.draft = Some(match content {
                Some(json) => parse_draft(&json),
                None => Err(Problem::new(
                    TICKET_PART,
                    ProblemCode::TextTooLong,
                    Message::new(
                        format!(
                            "Bagian `ticket` melebihi {} byte.",
                            limits.max_ticket_json_bytes
                        ),
                        format!(
                            "The `ticket` part is larger than {} bytes.",
                            limits.max_ticket_json_bytes
                        ),
                    ),
                )),
            });
        } else if let Some(kind) = AttachmentKind::from_code(&name) {
            let content = read_part(&mut part, limits.max_part_bytes, &mut budget).await?;
            if let Some(fingerprint) = &mut fingerprint {
                fingerprint.part(&name, content.as_deref());
            }
            match content {
                Some(content) => received.files.push((kind, content)),
                None => received.oversized.push(kind),
            }
        } else {
            drain(&mut part, &mut budget).await?;
            if let Some(fingerprint) = &mut fingerprint {
                fingerprint.part(&name, None);
            }
            received.unknown_parts.push(if name.is_empty() {
                "(unnamed part)".into()
            } else {
                name
            });
        }
    }
    received.fingerprint = fingerprint.map(Fingerprint::finish);
    Ok(received)
}

/// What a request says, independent of how it was framed: the `ticket` JSON with its
/// keys sorted and its whitespace gone, and each part's name with the SHA-256 of its
/// content, in name order. A retry from a client library that picks a new multipart
/// boundary, reorders the parts or reformats the JSON has the same fingerprint.
#[derive(Default)]
struct Fingerprint {
    parts: Vec<(String, [u8; 32])>,
}

impl Fingerprint {
    fn ticket_part(&mut self, content: Option<&[u8]>) {
        let canonical = content.map(
            |raw| match serde_json::from_slice::<serde_json::Value>(raw) {
                Ok(value) => canonical_json(&value).into_bytes(),
                Err(_) => raw.to_vec(),
            },
        );
        self.part(TICKET_PART, canonical.as_deref());
    }

    /// `None` stands for a part that was dropped (too large, or not ours).
    fn part(&mut self, name: &str, content: Option<&[u8]>) {
        let digest = content.map_or([0; 32], |c| Sha256::digest(c).into());
        self.parts.push((name.to_owned(), digest));
    }

    fn finish(mut self) -> String {
        self.parts.sort();
        let mut hasher = Sha256::new();
        for (name, digest) in &self.parts {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(digest);
        }
        hex::encode(hasher.finalize())
    }
}

/// JSON with object keys in order, whatever map type serde_json was built with.
fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        canonical_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Bytes read so far across all parts, against the body limit.
struct BodyBudget {
    used: u64,
    limit: u64,
}

impl BodyBudget {
    fn spend(&mut self, bytes: usize) -> Result<(), ApiError> {
        self.used += bytes as u64;
        if self.used > self.limit {
            return Err(ApiError::PayloadTooLarge {
                limit: Some(self.limit),
            });
        }
        Ok(())
    }
}

/// The part's bytes, or `None` when it went over `limit` (the rest is drained).
async fn read_part(
    part: &mut actix_multipart::Field,
    limit: u64,
    budget: &mut BodyBudget,
) -> Result<Option<Bytes>, ApiError> {
    let mut content = BytesMut::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(multipart_error)?;
        budget.spend(chunk.len())?;
        if content.len() as u64 + chunk.len() as u64 > limit {
            drain(part, budget).await?;
            return Ok(None);
        }
        content.extend_from_slice(&chunk);
    }
    Ok(Some(content.freeze()))
}

async fn drain(part: &mut actix_multipart::Field, budget: &mut BodyBudget) -> Result<(), ApiError> {
    while let Some(chunk) = part.next().await {
        budget.spend(chunk.map_err(multipart_error)?.len())?;
    }
    Ok(())
}

fn parse_draft(json: &[u8]) -> Result<TicketDraft, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner();
        let field = if path == "." || path.is_empty() { TICKET_PART.to_owned() } else { path };
        if inner.is_data() && inner.to_string().starts_with("unknown field") {
            Problem::new(
                field,
                ProblemCode::UnknownField,
                Message::new(
                    format!("Kolom tidak dikenal: {inner}. Lihat GET /api/v1/services dan dokumentasi API."),
                    format!("Unknown field: {inner}. See GET /api/v1/services and the API documentation."),
                ),
            )
        } else if inner.is_data() {
            Problem::new(
                field,
                ProblemCode::InvalidJson,
                Message::new(
                    // serde's own text would quote the value, which may be a NIK.
                    "Nilai dengan tipe yang salah: setiap nilai ditulis sebagai teks (string), daftar sebagai array.",
                    "A value has the wrong type: every value is written as text (a string), lists as arrays.",
                ),
            )
        } else {
            Problem::new(
                TICKET_PART,
                ProblemCode::InvalidJson,
                Message::new(
                    format!("Bagian `ticket` bukan JSON yang valid ({inner})."),
                    format!("The `ticket` part is not valid JSON ({inner})."),
                ),
            )
        }
    })
}

fn too_many_parts() -> ApiError {
    ApiError::invalid(
        "body",
        ProblemCode::TooManyParts,
        Message::new(
            format!("Formulir berisi lebih dari {MAX_PARTS} bagian."),
            format!("The form has more than {MAX_PARTS} parts."),
        ),
    )
}

fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::UnsupportedMediaType,
        other => ApiError::Malformed(other.to_string()),
    }
}
