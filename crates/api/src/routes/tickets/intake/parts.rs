//! A multipart form read part by part within its limits: the declared length first, then
//! a byte budget across all parts, a cap on their number, and time: a gap between two
//! pieces of the body and the whole reading are both bounded, so a client trickling its
//! body cannot hold a connection and its memory open. Oversized parts are drained, so that
//! the answer can still list every problem.

use std::time::{Duration, Instant};

use actix_multipart::{Multipart, MultipartError};
use actix_web::HttpRequest;
use actix_web::http::header;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::{ApiError, FieldRule};
use crate::settings::LimitSettings;

/// The part holding the ticket's JSON; every other part is a file named after its kind.
pub(super) const TICKET_PART: &str = "ticket";
/// More parts than any honest form has (one `ticket`, five files); the cap keeps a flood
/// of tiny parts from costing memory and an endless list of problems.
const MAX_PARTS: usize = 16;

pub(super) fn declared_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Bytes read so far across all parts, against the body limit, and the time allowed.
pub(super) struct BodyBudget {
    pub used: u64,
    pub limit: u64,
    /// The longest wait for the next piece of the body.
    idle: Duration,
    /// When the whole body must have arrived.
    deadline: Instant,
}

impl BodyBudget {
    /// Waits for the next piece of the body, within the idle gap and the deadline.
    async fn within_time<F: std::future::Future>(&self, next: F) -> Result<F::Output, ApiError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        tokio::time::timeout(self.idle.min(left), next)
            .await
            .map_err(|_| ApiError::RequestTimeout)
    }

    pub(super) fn spend(&mut self, bytes: usize) -> Result<(), ApiError> {
        self.used += bytes as u64;
        if self.used > self.limit {
            return Err(ApiError::BodyTooLarge { limit: self.limit });
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
            return Err(ApiError::BodyTooLarge {
                limit: limits.max_body_bytes,
            });
        }
        Ok(Self {
            body,
            budget: BodyBudget {
                used: 0,
                limit: limits.max_body_bytes,
                idle: Duration::from_secs(limits.body_idle_secs.max(1)),
                deadline: Instant::now() + Duration::from_secs(limits.body_total_secs.max(1)),
            },
            seen: 0,
        })
    }

    /// The next part, with its name (empty when it has none).
    pub async fn next(&mut self) -> Result<Option<(String, actix_multipart::Field)>, ApiError> {
        let Some(part) = self.budget.within_time(self.body.next()).await? else {
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
    // The pieces as they came, joined once at the end into a buffer of the exact size:
    // growing one buffer as they arrive would, at each doubling, hold the old and the new.
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut size = 0u64;
    while let Some(chunk) = budget.within_time(part.next()).await? {
        let chunk = chunk.map_err(multipart_error)?;
        budget.spend(chunk.len())?;
        size += chunk.len() as u64;
        if size > limit {
            drop(pieces);
            drain(part, budget).await?;
            return Ok(None);
        }
        pieces.push(chunk);
    }
    Ok(Some(match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.remove(0),
        _ => {
            let mut joined = BytesMut::with_capacity(usize::try_from(size).unwrap_or(usize::MAX));
            for piece in pieces {
                joined.extend_from_slice(&piece);
            }
            joined.freeze()
        }
    }))
}

pub(super) async fn drain(
    part: &mut actix_multipart::Field,
    budget: &mut BodyBudget,
) -> Result<(), ApiError> {
    while let Some(chunk) = budget.within_time(part.next()).await? {
        budget.spend(chunk.map_err(multipart_error)?.len())?;
    }
    Ok(())
}

fn too_many_parts() -> ApiError {
    ApiError::invalid("body", &FieldRule::TooManyParts { max: MAX_PARTS })
}

fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::UnsupportedMediaType,
        other => {
            tracing::debug!(error = %other, "multipart body unreadable");
            ApiError::MalformedBody
        }
    }
}
