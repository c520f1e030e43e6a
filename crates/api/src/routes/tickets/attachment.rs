//! `GET /api/v1/tickets/{number}/attachments/{kind}`: the stored file, streamed, with the
//! content type detected at intake. A download, never sniffed by the browser: an
//! uploaded file must not run as a page of ours. Only the console shows files inline, and
//! only images (checked, decoded and re-read at intake), never a PDF.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use certdesk_domain::audit::LookKind;
use certdesk_domain::{AttachmentKind, TicketNumber};

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use certdesk_domain::lifecycle::{Capacity, may_replace_attachment};

use super::get::ticket_response;
use super::intake::{admit_upload, check_one};
use super::{if_match, visible_ticket};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::looks::look;
use crate::state::AppState;
use certdesk_store::{AttachmentRecord, FileStream};

/// Download an attachment.
///
/// The stored file, with the type detected at intake; always a download
/// (`Content-Disposition: attachment`), never cached. Each download is recorded in the
/// ticket's history and in the audit (`GET /api/v1/audit`); so is each refused attempt.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{number}/attachments/{kind}",
    tag = "tickets",
    operation_id = "download_attachment",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887"), ("kind" = certdesk_domain::AttachmentKind, Path, description = "The attachment's kind.")),
    responses(
        (status = 200, description = "The file.",
            content(
                (Vec<u8> = "image/jpeg"),
                (Vec<u8> = "image/png"),
                (Vec<u8> = "application/pdf"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"S00000035887-ktp_scan.png\"`"),
                ("Cache-Control" = String, description = "`private, no-store`"),
            )),
        (status = 404, description = "No such ticket (or not visible to the caller), or no such attachment on it: `ticket_not_found`, `attachment_not_found`.",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
        (status = 410, description = "The file was deleted when its retention period ended (`attachment_purged`); the ticket still describes it.",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_number, raw_kind) = path.into_inner();
    serve(
        &state,
        &caller,
        &request,
        &raw_number,
        &raw_kind,
        Disposition::Download,
    )
    .await
}

/// How a file is handed over: saved by the browser, or shown in the page (the console's
/// scans beside the identity fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    Download,
    Inline,
}

/// An attachment's bytes, after recording the look in the ticket's history and the
/// audit; a refused look is recorded too.
pub(crate) async fn serve(
    state: &AppState,
    caller: &Caller,
    request: &HttpRequest,
    raw_number: &str,
    raw_kind: &str,
    disposition: Disposition,
) -> Result<HttpResponse, ApiError> {
    let kind = AttachmentKind::from_code(raw_kind);
    let found = match kind {
        Some(kind) => find_attachment(state, caller, raw_number, kind).await,
        None => Err(ApiError::AttachmentNotFound),
    };
    let (number, record, stream) = match found {
        Ok(found) => found,
        // A refused look (no such ticket for them, no such file, a file purged) is
        // recorded too: asking is part of the record.
        Err(refusal)
            if matches!(
                refusal,
                ApiError::TicketNotFound
                    | ApiError::AttachmentNotFound
                    | ApiError::AttachmentPurged
            ) =>
        {
            let look = look(
                request,
                caller,
                LookKind::AttachmentRefused,
                raw_number.parse().ok(),
                kind.map(AttachmentKind::code),
            );
            state.store.record_look(&look, chrono::Utc::now()).await?;
            return Err(refusal);
        }
        Err(other) => return Err(other),
    };
    let kind = record.kind;
    // Who looked at an ID-card scan is part of the ticket's history and of the audit,
    // written together before a byte is sent.
    let look = look(
        request,
        caller,
        LookKind::AttachmentDownloaded,
        Some(number),
        Some(kind.code()),
    );
    state
        .store
        .record_download(number, kind, &look, chrono::Utc::now())
        .await?;
    tracing::info!(ticket = %number, kind = kind.code(), "attachment downloaded");
    let filename = format!("{number}-{}.{}", kind.code(), record.file_type.extension());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, record.file_type.content_type()))
        .insert_header(ContentDisposition {
            disposition: match disposition {
                Disposition::Inline if record.file_type.is_image() => DispositionType::Inline,
                Disposition::Download | Disposition::Inline => DispositionType::Attachment,
            },
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Scans of ID cards and signatures: no shared cache may keep them.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::CONTENT_LENGTH, record.byte_size))
        .streaming(stream))
}

/// The attachment `kind` of ticket `raw`, if the caller may see the ticket.
async fn find_attachment(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    kind: AttachmentKind,
) -> Result<(TicketNumber, AttachmentRecord, FileStream), ApiError> {
    let ticket = visible_ticket(state, caller, raw).await?;
    let (record, stream) = state
        .store
        .attachment(ticket.number, kind)
        .await?
        .ok_or(ApiError::AttachmentNotFound)?;
    Ok((ticket.number, record, stream))
}

/// Replace an attachment.
///
/// The requester sends a corrected file while the agent waits for them
/// (`awaiting_requester`). Same checks as intake; needs `If-Match`.
#[utoipa::path(
    put,
    path = "/api/v1/tickets/{number}/attachments/{kind}",
    tag = "lifecycle",
    operation_id = "replace_attachment",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887"), ("kind" = certdesk_domain::AttachmentKind, Path, description = "The attachment's kind."), ("If-Match" = String, Header, description = "The `ETag` of the ticket as last read.", example = "\"3\"")),
    request_body(content = crate::routes::tickets::forms::AttachmentForm, content_type = "multipart/form-data",
        description = "One file part named after `{kind}`, checked as at intake."),
    responses(
        (status = 200, description = "The ticket with the new attachment.", body = super::get::TicketResponse,
            headers(("ETag" = String, description = "The ticket's new version."))),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 404, description = "No such ticket (or not visible to the caller), or no such attachment kind.",
            body = crate::error::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, response = crate::responses::Conflict),
        (status = 412, response = crate::responses::StaleVersion),
        (status = 408, response = crate::responses::RequestTimeout),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
        (status = 428, response = crate::responses::IfMatchRequired),
    )
)]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (number, kind) = path.into_inner();
    let ticket = visible_ticket(&state, &caller, &number).await?;
    let kind = AttachmentKind::from_code(&kind).ok_or(ApiError::AttachmentNotFound)?;
    let Some(actor) = caller.person() else {
        return Err(ApiError::RequesterReplacesAttachments);
    };
    may_replace_attachment(actor, &ticket.facts())?;
    let expected = if_match(&request)?;
    if expected != ticket.version {
        return Err(ApiError::StaleVersion {
            current: ticket.version,
        });
    }
    let _upload = admit_upload(&state, &request)?;
    let attachment = match check_one(&state, &request, body, kind).await? {
        Ok(attachment) => attachment,
        Err(problems) => {
            return Err(ApiError::Validation {
                problems,
                warnings: Vec::new(),
            });
        }
    };
    let updated = state
        .store
        .replace_attachment(
            ticket.number,
            expected,
            attachment,
            &caller.history_actor(Capacity::Requester),
            chrono::Utc::now(),
        )
        .await?;
    ticket_response(&state, &request, &caller, updated).await
}
