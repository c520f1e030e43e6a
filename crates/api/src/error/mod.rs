//! Every error leaves the API as an RFC 9457 `application/problem+json` body, mapped here
//! once. Client errors name the rule broken in Indonesian and English; server errors say
//! nothing of their cause to the client and everything to the log.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use certdesk_domain::{Message, Problem, ProblemCode};
use serde::Serialize;

mod code;
mod from;

pub use code::ErrorCode;

pub const PROBLEM_JSON: &str = "application/problem+json";
/// The request header that makes filing a ticket safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request breaks domain rules; every problem is listed.
    #[error("the request breaks {} rule(s)", problems.len())]
    Validation {
        problems: Vec<Problem>,
        warnings: Vec<Problem>,
    },
    #[error("the request body is too large (limit {limit:?})")]
    /// `limit` is `None` when the framework refused the body before we saw it.
    PayloadTooLarge { limit: Option<u64> },
    #[error("the request is not multipart/form-data")]
    UnsupportedMediaType,
    #[error("the request could not be read: {0}")]
    Malformed(String),
    #[error("{0} not found")]
    NotFound(Missing),
    /// The attachment's file was deleted by the retention rules.
    #[error("attachment purged")]
    Purged,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("not authenticated")]
    Unauthenticated,
    /// The caller is known but may not do this; `message` says why in both languages.
    #[error("forbidden: {}", message.en)]
    Forbidden { code: ErrorCode, message: Message },
    /// The request conflicts with the ticket's state; `message` says how.
    #[error("conflict: {}", message.en)]
    Conflict { code: ErrorCode, message: Message },
    /// An `Idempotency-Key` already used for a different request.
    #[error("idempotency key reused for a different request")]
    IdempotencyKeyReused,
    /// `If-Match` names a version the ticket has left.
    #[error("stale version")]
    PreconditionFailed { current: i32 },
    /// A change without `If-Match`.
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("a dependency is unavailable")]
    Unavailable,
    /// The body did not arrive in time (a gap between pieces, or the whole).
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// As many uploads are in flight as memory allows; try again shortly.
    #[error("too many uploads in flight")]
    Busy { retry_after_secs: u32 },
    /// Past a rate limit (this caller's, this address's, or failed authentications).
    #[error("rate limited")]
    RateLimited { retry_after_secs: u32 },
    /// An HTTP status raised by the framework itself (e.g. a header it could not parse).
    #[error("HTTP {0}")]
    Status(StatusCode),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone, Copy)]
pub enum Missing {
    Route,
    Ticket,
    Attachment,
    DeadLetter,
    DataSubject,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Route => "route",
            Self::Ticket => "ticket",
            Self::Attachment => "attachment",
            Self::DeadLetter => "dead letter",
            Self::DataSubject => "data subject",
        })
    }
}

impl ApiError {
    /// One field breaks one rule.
    pub fn invalid(field: impl Into<String>, code: ProblemCode, message: Message) -> Self {
        Self::Validation {
            problems: vec![Problem::new(field, code, message)],
            warnings: Vec::new(),
        }
    }

    /// One field breaks the rule a domain type's parser names.
    pub fn invalid_at(field: &str, rule: &impl certdesk_domain::problem::Rule) -> Self {
        Self::Validation {
            problems: vec![Problem::at(field, rule)],
            warnings: Vec::new(),
        }
    }
}

/// The body of every error response (RFC 9457 `application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem: `/problems/{code}`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation_failed")]
    pub problem_type: String,
    /// A short English summary of the kind of problem.
    #[schema(value_type = String)]
    pub title: &'static str,
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong, in English (`message.en`).
    pub detail: String,
    /// Stable snake_case code, one per kind of problem.
    pub code: ErrorCode,
    /// What went wrong and what to do, in Indonesian and English.
    pub message: Message,
    /// Every rule the request broke (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<Problem>,
    /// What the caller should know but did not stop the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub warnings: Vec<Problem>,
}

impl ApiError {
    /// The stable code of this kind of error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation { .. } => ErrorCode::ValidationFailed,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::Malformed(_) => ErrorCode::MalformedRequest,
            Self::NotFound(Missing::Route) => ErrorCode::RouteNotFound,
            Self::NotFound(Missing::Ticket) => ErrorCode::TicketNotFound,
            Self::NotFound(Missing::Attachment) => ErrorCode::AttachmentNotFound,
            Self::NotFound(Missing::DeadLetter) => ErrorCode::DeadLetterNotFound,
            Self::NotFound(Missing::DataSubject) => ErrorCode::DataSubjectNotFound,
            Self::Purged => ErrorCode::AttachmentPurged,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden { code, .. } | Self::Conflict { code, .. } => *code,
            Self::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            Self::PreconditionFailed { .. } => ErrorCode::StaleVersion,
            Self::PreconditionRequired => ErrorCode::IfMatchRequired,
            Self::Unavailable => ErrorCode::ServiceUnavailable,
            Self::RequestTimeout => ErrorCode::RequestTimeout,
            Self::Busy { .. } => ErrorCode::ServerBusy,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Status(StatusCode::NOT_ACCEPTABLE) => ErrorCode::NotAcceptable,
            Self::Status(status) if status.is_server_error() => ErrorCode::InternalError,
            Self::Status(_) => ErrorCode::BadRequest,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "The request breaks the service desk's rules",
            Self::PayloadTooLarge { .. } => "The request is too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Malformed(_) => "The request could not be read",
            Self::NotFound(_) => "Not found",
            Self::Purged => "Attachment purged",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden { .. } => "Forbidden",
            Self::Conflict { .. } => "Conflict with the ticket's state",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::PreconditionFailed { .. } => "The ticket has changed",
            Self::PreconditionRequired => "If-Match required",
            Self::Unavailable => "Service unavailable",
            Self::RequestTimeout => "The request body did not arrive in time",
            Self::Busy { .. } => "Too many uploads at once",
            Self::RateLimited { .. } => "Too many requests",
            Self::Status(status) => status.canonical_reason().unwrap_or("Error"),
            Self::Internal(_) => "Internal server error",
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Validation { problems, .. } => Message::new(
                format!(
                    "Ada {} hal yang perlu diperbaiki; lihat daftar `errors`.",
                    problems.len()
                ),
                format!(
                    "{} thing(s) need fixing; see the `errors` list.",
                    problems.len()
                ),
            ),
            Self::PayloadTooLarge { limit: Some(limit) } => Message::new(
                format!("Permintaan melebihi batas {limit} byte. Perkecil atau kompres lampiran."),
                format!(
                    "The request is larger than the limit of {limit} bytes. Make the attachments smaller."
                ),
            ),
            Self::PayloadTooLarge { limit: None } => Message::new(
                "Permintaan terlalu besar. Perkecil atau kompres lampiran.",
                "The request is too large. Make the attachments smaller.",
            ),
            Self::UnsupportedMediaType => Message::new(
                "Kirim tiket sebagai multipart/form-data: bagian `ticket` (JSON) dan satu bagian per lampiran.",
                "Send the ticket as multipart/form-data: a `ticket` part (JSON) and one part per attachment.",
            ),
            Self::Malformed(_) => Message::new(
                "Permintaan tidak dapat dibaca (format multipart rusak atau terputus). Kirim ulang.",
                "The request could not be read (broken or truncated multipart body). Send it again.",
            ),
            Self::NotFound(Missing::Ticket) => Message::new(
                "Tiket tidak ditemukan. Periksa nomor tiket (S diikuti 11 angka).",
                "Ticket not found. Check the ticket number (S followed by 11 digits).",
            ),
            Self::NotFound(Missing::Attachment) => Message::new(
                "Lampiran tidak ditemukan pada tiket ini.",
                "This ticket has no such attachment.",
            ),
            Self::NotFound(Missing::DeadLetter) => Message::new(
                "Tidak ada surat gagal kirim dengan id ini (mungkin sudah diantrekan ulang).",
                "No dead letter with this id (it may have been requeued already).",
            ),
            Self::NotFound(Missing::DataSubject) => Message::new(
                "Tidak ada tiket yang tersimpan untuk NIK ini.",
                "No ticket is held for this NIK.",
            ),
            Self::NotFound(Missing::Route) => {
                Message::new("Alamat tidak ditemukan.", "No such address.")
            }
            Self::Purged => Message::new(
                "Berkas lampiran ini sudah dihapus sesuai masa retensi data pribadi; keterangannya tetap tercatat pada tiket.",
                "This attachment's file was deleted when its personal-data retention period ended; its description stays on the ticket.",
            ),
            Self::MethodNotAllowed => Message::new(
                "Metode HTTP ini tidak didukung untuk alamat ini.",
                "This HTTP method is not supported at this address.",
            ),
            Self::Unauthenticated => Message::new(
                "Masuk terlebih dahulu: kirim token di header `Authorization: Bearer …` (token kedaluwarsa atau tidak valid ditolak).",
                "Sign in first: send a token in the `Authorization: Bearer …` header (expired or invalid tokens are refused).",
            ),
            Self::Forbidden { message, .. } | Self::Conflict { message, .. } => message.clone(),
            Self::IdempotencyKeyReused => idempotency_key_reused(),
            Self::PreconditionFailed { current } => Message::new(
                format!(
                    "Tiket sudah berubah (versi sekarang {current}). Muat ulang tiket lalu ulangi tindakan."
                ),
                format!(
                    "The ticket has changed (it is now at version {current}). Reload it and try again."
                ),
            ),
            Self::PreconditionRequired => Message::new(
                "Sertakan header `If-Match` berisi ETag tiket yang terakhir Anda baca.",
                "Send an `If-Match` header with the ETag of the ticket as you last read it.",
            ),
            Self::RequestTimeout => Message::new(
                "Isi permintaan tidak diterima tepat waktu (koneksi terlalu lambat atau terputus). Kirim ulang.",
                "The request body did not arrive in time (the connection was too slow or stalled). Send it again.",
            ),
            Self::Busy { retry_after_secs } => Message::new(
                format!(
                    "Terlalu banyak unggahan sedang diproses. Coba lagi dalam {retry_after_secs} detik; tidak ada yang tersimpan."
                ),
                format!(
                    "Too many uploads are being processed. Try again in {retry_after_secs} seconds; nothing was stored."
                ),
            ),
            Self::RateLimited { retry_after_secs } => Message::new(
                format!(
                    "Terlalu banyak permintaan dalam waktu singkat. Coba lagi dalam {retry_after_secs} detik; tidak ada yang tersimpan."
                ),
                format!(
                    "Too many requests in a short time. Try again in {retry_after_secs} seconds; nothing was stored."
                ),
            ),
            Self::Unavailable => Message::new(
                "Layanan sedang tidak tersedia. Coba lagi sebentar lagi.",
                "The service is unavailable right now. Try again shortly.",
            ),
            Self::Status(status) if status.is_client_error() => {
                Message::new("Permintaan tidak valid.", "The request is not valid.")
            }
            Self::Status(_) | Self::Internal(_) => Message::new(
                "Terjadi kesalahan pada server. Tiket Anda tidak tersimpan; coba lagi atau hubungi service desk.",
                "Something went wrong on the server. Your ticket was not stored; try again or contact the service desk.",
            ),
        }
    }

    pub fn problem(&self) -> ProblemDetails {
        let status = self.status_code();
        let (errors, warnings) = match self {
            Self::Validation { problems, warnings } => (problems.clone(), warnings.clone()),
            Self::IdempotencyKeyReused => (
                vec![Problem::new(
                    IDEMPOTENCY_KEY,
                    ProblemCode::IdempotencyKeyReused,
                    idempotency_key_reused(),
                )],
                Vec::new(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let message = self.message();
        ProblemDetails {
            problem_type: format!("/problems/{}", self.code().as_str()),
            title: self.title(),
            status: status.as_u16(),
            detail: message.en.clone(),
            code: self.code(),
            message,
            errors,
            warnings,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Purged => StatusCode::GONE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Unavailable | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Status(status) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            // The whole cause chain goes to the log, none of it to the client.
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable => tracing::warn!("dependency unavailable"),
            other => tracing::info!(code = other.code().as_str(), "request refused"),
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, Self::Unauthenticated) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Self::Busy { retry_after_secs } | Self::RateLimited { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .json(self.problem())
    }
}

fn idempotency_key_reused() -> Message {
    Message::new(
        "`Idempotency-Key` ini sudah dipakai untuk permintaan lain. Gunakan kunci baru untuk tiket baru; untuk mengulang, kirim permintaan yang sama persis.",
        "This `Idempotency-Key` was already used for a different request. Use a new key for a new ticket; to retry, send exactly the same request.",
    )
}

/// Middleware hook: turns error responses that the framework produced without a body of
/// ours (unknown methods, unparsable headers) into problem+json too.
pub fn problem_for_bare_errors<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    // The console answers people with pages: its own error pages stay as they are.
    let is_console_page = response.request().path().starts_with("/console")
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_problem || is_console_page {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let error = match response.status() {
        StatusCode::NOT_FOUND => ApiError::NotFound(Missing::Route),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge { limit: None },
        status => ApiError::Status(status),
    };
    let (request, original) = response.into_parts();
    let mut replacement = error.error_response();
    // Keep headers the framework set for a reason (e.g. `Allow` on a 405).
    if let Some(allow) = original.headers().get(header::ALLOW) {
        replacement
            .headers_mut()
            .insert(header::ALLOW, allow.clone());
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, replacement).map_into_right_body(),
    ))
}
