//! The error responses operations share, as named components of the OpenAPI document.
//! They describe bodies and are never built: each wraps the one body type,
//! [`ProblemDetails`]. Route annotations refer to them; the document lists them.

#![allow(dead_code, reason = "descriptions of responses, never constructed")]

use utoipa::ToResponse;

use crate::error::ProblemDetails;

/// The request could not be read: a broken or truncated multipart body, or a header the
/// server could not parse.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/malformed_request", "title": "The request could not be read",
        "status": 400, "code": "malformed_request",
        "detail": "The request could not be read (broken or truncated multipart body). Send it again.",
        "message": {
            "id": "Permintaan tidak dapat dibaca (format multipart rusak atau terputus). Kirim ulang.",
            "en": "The request could not be read (broken or truncated multipart body). Send it again."
        }
    })
)]
pub struct MalformedRequest(ProblemDetails);

/// No valid token: send `Authorization: Bearer <JWT or cdk_ API token>`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`")),
    example = json!({
        "type": "/problems/unauthenticated", "title": "Authentication required",
        "status": 401, "code": "unauthenticated",
        "detail": "Sign in first: send a token in the `Authorization: Bearer …` header (expired or invalid tokens are refused).",
        "message": {
            "id": "Masuk terlebih dahulu: kirim token di header `Authorization: Bearer …` (token kedaluwarsa atau tidak valid ditolak).",
            "en": "Sign in first: send a token in the `Authorization: Bearer …` header (expired or invalid tokens are refused)."
        }
    })
)]
pub struct Unauthenticated(ProblemDetails);

/// The caller is known but may not do this; `code` and `message` say why.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/not_permitted", "title": "Forbidden",
        "status": 403, "code": "not_permitted",
        "detail": "For RA staff only.",
        "message": { "id": "Hanya untuk petugas RA.", "en": "For RA staff only." }
    })
)]
pub struct NotPermitted(ProblemDetails);

/// No such ticket, or one the caller may not see (the two are not told apart).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/ticket_not_found", "title": "Not found",
        "status": 404, "code": "ticket_not_found",
        "detail": "Ticket not found. Check the ticket number (S followed by 11 digits).",
        "message": {
            "id": "Tiket tidak ditemukan. Periksa nomor tiket (S diikuti 11 angka).",
            "en": "Ticket not found. Check the ticket number (S followed by 11 digits)."
        }
    })
)]
pub struct TicketNotFound(ProblemDetails);

/// The request conflicts with the ticket's state (`action_not_allowed`,
/// `already_claimed`, `reopen_window_passed`) or with another open ticket
/// (`open_ticket_exists`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/already_claimed", "title": "Conflict with the ticket's state",
        "status": 409, "code": "already_claimed",
        "detail": "Another agent has already claimed this ticket.",
        "message": {
            "id": "Tiket sudah diambil petugas lain.",
            "en": "Another agent has already claimed this ticket."
        }
    })
)]
pub struct Conflict(ProblemDetails);

/// The body, or one part of it, is larger than its limit.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/payload_too_large", "title": "The request is too large",
        "status": 413, "code": "payload_too_large",
        "detail": "The request is larger than the limit of 29360128 bytes. Make the attachments smaller.",
        "message": {
            "id": "Permintaan melebihi batas 29360128 byte. Perkecil atau kompres lampiran.",
            "en": "The request is larger than the limit of 29360128 bytes. Make the attachments smaller."
        }
    })
)]
pub struct PayloadTooLarge(ProblemDetails);

/// The body is not of the media type this operation reads.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/unsupported_media_type", "title": "Unsupported media type",
        "status": 415, "code": "unsupported_media_type",
        "detail": "Send the ticket as multipart/form-data: a `ticket` part (JSON) and one part per attachment.",
        "message": {
            "id": "Kirim tiket sebagai multipart/form-data: bagian `ticket` (JSON) dan satu bagian per lampiran.",
            "en": "Send the ticket as multipart/form-data: a `ticket` part (JSON) and one part per attachment."
        }
    })
)]
pub struct UnsupportedMediaType(ProblemDetails);

/// The request breaks the desk's rules. `errors` lists every problem at once, each with
/// the field, a stable code and a message in Indonesian and English; `warnings` lists what
/// does not stop the request. (`idempotency_key_reused`: the key was used before for a
/// different request.)
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/validation_failed",
        "title": "The request breaks the service desk's rules",
        "status": 422, "code": "validation_failed",
        "detail": "2 thing(s) need fixing; see the `errors` list.",
        "message": {
            "id": "Ada 2 hal yang perlu diperbaiki; lihat daftar `errors`.",
            "en": "2 thing(s) need fixing; see the `errors` list."
        },
        "errors": [
            {
                "field": "requester.email", "code": "email_hyphen",
                "message": {
                    "id": "Email dinas tidak boleh mengandung tanda hubung (-).",
                    "en": "The official email must not contain a hyphen (-)."
                }
            },
            {
                "field": "ktp_scan", "code": "attachment_dimensions",
                "message": {
                    "id": "Pindaian KTP berukuran 449×290 piksel; maksimal 448×290.",
                    "en": "The ID-card scan is 449×290 pixels; the most allowed is 448×290."
                }
            }
        ]
    })
)]
pub struct ValidationFailed(ProblemDetails);

/// `If-Match` names a version the ticket has left: read it again and retry.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/stale_version", "title": "The ticket has changed",
        "status": 412, "code": "stale_version",
        "detail": "The ticket has changed (it is now at version 4). Reload it and try again.",
        "message": {
            "id": "Tiket sudah berubah (versi sekarang 4). Muat ulang tiket lalu ulangi tindakan.",
            "en": "The ticket has changed (it is now at version 4). Reload it and try again."
        }
    })
)]
pub struct StaleVersion(ProblemDetails);

/// Changes need `If-Match` with the ETag of the ticket as last read.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/if_match_required", "title": "If-Match required",
        "status": 428, "code": "if_match_required",
        "detail": "Send an `If-Match` header with the ETag of the ticket as you last read it.",
        "message": {
            "id": "Sertakan header `If-Match` berisi ETag tiket yang terakhir Anda baca.",
            "en": "Send an `If-Match` header with the ETag of the ticket as you last read it."
        }
    })
)]
pub struct IfMatchRequired(ProblemDetails);

/// A dependency (the database) is unavailable or overloaded (`service_unavailable`), or,
/// for uploads, as many are in flight as memory allows (`server_busy`, with
/// `Retry-After`); nothing was stored: retry shortly.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = Option<String>, description = "Seconds to wait before retrying (`server_busy`)."))
)]
pub struct ServiceUnavailable(ProblemDetails);

/// The body did not arrive in time: a gap between two pieces of it longer than
/// `limits.body_idle_secs`, or longer than `limits.body_total_secs` in all. Nothing was
/// stored; send it again.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/request_timeout", "title": "The request body did not arrive in time",
        "status": 408, "code": "request_timeout",
        "detail": "The request body did not arrive in time (the connection was too slow or stalled). Send it again.",
        "message": {
            "id": "Isi permintaan tidak diterima tepat waktu (koneksi terlalu lambat atau terputus). Kirim ulang.",
            "en": "The request body did not arrive in time (the connection was too slow or stalled). Send it again."
        }
    })
)]
pub struct RequestTimeout(ProblemDetails);

/// Past a rate limit: this person's or token's for the operation, this client address's,
/// or, after too many failed authentications from the address, any request from it.
/// Nothing was stored; retry after `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before retrying.")),
    example = json!({
        "type": "/problems/rate_limited", "title": "Too many requests",
        "status": 429, "code": "rate_limited",
        "detail": "Too many requests in a short time. Try again in 6 seconds; nothing was stored.",
        "message": {
            "id": "Terlalu banyak permintaan dalam waktu singkat. Coba lagi dalam 6 detik; tidak ada yang tersimpan.",
            "en": "Too many requests in a short time. Try again in 6 seconds; nothing was stored."
        }
    })
)]
pub struct TooManyRequests(ProblemDetails);

/// A fault of the server. Nothing was stored; the `X-Request-Id` finds it in the logs.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct InternalError(ProblemDetails);
