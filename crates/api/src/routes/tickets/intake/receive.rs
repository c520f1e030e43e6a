//! Reading an intake body into what it holds (the ticket's JSON, the files, the parts
//! that were too large or not ours), judging nothing yet.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use bytes::Bytes;
use certdesk_domain::{AttachmentKind, Problem, TicketDraft};

use super::fingerprint::Fingerprint;
use super::parts::{Parts, TICKET_PART, drain, read_part};
use crate::error::{ApiError, FieldRule, IDEMPOTENCY_KEY};
use crate::settings::LimitSettings;

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
                None => Err(Problem::at(
                    TICKET_PART,
                    &FieldRule::TicketPartTooLarge {
                        max: limits.max_ticket_json_bytes,
                    },
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

fn parse_draft(json: &[u8]) -> Result<TicketDraft, Problem> {
    crate::extract::read_json(json, TICKET_PART)
}
