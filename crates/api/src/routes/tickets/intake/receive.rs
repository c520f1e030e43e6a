//! Reading an intake body: every size bounded while the body streams in, oversized parts
//! drained and noted, nothing judged yet.

use actix_multipart::{Multipart, MultipartError};
use actix_web::HttpRequest;
use actix_web::http::header;
use bytes::{Bytes, BytesMut};
use certdesk_domain::{AttachmentKind, Message, Problem, ProblemCode, TicketDraft};
use futures_util::StreamExt;

use super::fingerprint::Fingerprint;
use super::{MAX_PARTS, TICKET_PART};
use crate::config::LimitSettings;
use crate::error::{ApiError, IDEMPOTENCY_KEY};

/// An intake body as received, before any rule is applied.
pub struct Received {
    pub(super) draft: Option<Result<TicketDraft, Problem>>,
    pub(super) files: Vec<(AttachmentKind, Bytes)>,
    pub(super) oversized: Vec<AttachmentKind>,
    pub(super) unknown_parts: Vec<String>,
    pub(super) duplicate_ticket_part: bool,
    /// What the request says, when it came with an `Idempotency-Key`.
    pub(super) fingerprint: Option<String>,
}

impl Received {
    /// What the request says, independent of its framing; computed only when it came
    /// with an `Idempotency-Key`.
    pub fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }
}

fn declared_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads an intake body within the limits, part by part, without judging it: that is
/// [`check`]'s work, which a replayed idempotent request never needs.
pub async fn receive(
    request: &HttpRequest,
    body: Multipart,
    limits: &LimitSettings,
) -> Result<Received, ApiError> {
    let mut parts = Parts::new(request, body, limits)?;

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
    while let Some((name, mut part)) = parts.next().await? {
        if name == TICKET_PART {
            let content =
                read_part(&mut part, limits.max_ticket_json_bytes, &mut parts.budget).await?;
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
            let content = read_part(&mut part, limits.max_part_bytes, &mut parts.budget).await?;
            if let Some(fingerprint) = &mut fingerprint {
                fingerprint.part(&name, content.as_deref());
            }
            match content {
                Some(content) => received.files.push((kind, content)),
                None => received.oversized.push(kind),
            }
        } else {
            drain(&mut part, &mut parts.budget).await?;
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

/// Bytes read so far across all parts, against the body limit.
pub(super) struct BodyBudget {
    pub used: u64,
    pub limit: u64,
}

impl BodyBudget {
    pub(super) fn spend(&mut self, bytes: usize) -> Result<(), ApiError> {
        self.used += bytes as u64;
        if self.used > self.limit {
            return Err(ApiError::PayloadTooLarge {
                limit: Some(self.limit),
            });
        }
        Ok(())
    }
}

/// A multipart body read part by part within its limits: the declared length first,
/// then a byte budget across all parts and a cap on their number.
pub(super) struct Parts {
    body: Multipart,
    pub budget: BodyBudget,
    seen: usize,
}

impl Parts {
    pub fn new(
        request: &HttpRequest,
        body: Multipart,
        limits: &LimitSettings,
    ) -> Result<Self, ApiError> {
        if declared_length(request).is_some_and(|length| length > limits.max_body_bytes) {
            return Err(ApiError::PayloadTooLarge {
                limit: Some(limits.max_body_bytes),
            });
        }
        Ok(Self {
            body,
            budget: BodyBudget {
                used: 0,
                limit: limits.max_body_bytes,
            },
            seen: 0,
        })
    }

    /// The next part, with its name (empty when it has none).
    pub async fn next(&mut self) -> Result<Option<(String, actix_multipart::Field)>, ApiError> {
        let Some(part) = self.body.next().await else {
            return Ok(None);
        };
        self.seen += 1;
        if self.seen > MAX_PARTS {
            return Err(too_many_parts());
        }
        let part = part.map_err(multipart_error)?;
        Ok(Some((part.name().unwrap_or_default().to_owned(), part)))
    }
}

/// The part's bytes, or `None` when it went over `limit` (the rest is drained).
pub(super) async fn read_part(
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

pub(super) async fn drain(
    part: &mut actix_multipart::Field,
    budget: &mut BodyBudget,
) -> Result<(), ApiError> {
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
