//! `GET /api/v1/tickets/{number}/attachments/{kind}`: the stored file, streamed, with the
//! content type detected at intake. Always a download, never rendered inline, and never
//! sniffed by the browser: an uploaded file must not run as a page of ours.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use certdesk_domain::AttachmentKind;

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use certdesk_domain::Message;
use certdesk_domain::lifecycle::may_replace_attachment;

use super::actions::refusal;
use super::get::ticket_response;
use super::intake::check_one;
use super::{facts, if_match, visible_ticket};
use crate::auth::Caller;
use crate::error::{ApiError, Missing};
use crate::state::AppState;

pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (number, kind) = path.into_inner();
    let ticket = visible_ticket(&state, &caller, &number).await?;
    let number = ticket.number;
    let kind = AttachmentKind::from_code(&kind).ok_or(ApiError::NotFound(Missing::Attachment))?;
    let (record, stream) = state
        .store
        .attachment(number, kind)
        .await?
        .ok_or(ApiError::NotFound(Missing::Attachment))?;
    // Who looked at an ID-card scan is part of the record.
    let capacity = if caller.is_staff() { "agent" } else { "viewer" };
    state
        .store
        .record_download(
            number,
            kind.code(),
            &caller.history_actor(capacity),
            chrono::Utc::now(),
        )
        .await?;
    tracing::info!(ticket = %number, kind = kind.code(), "attachment downloaded");
    let filename = format!("{number}-{}.{}", kind.code(), record.file_type.extension());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, record.file_type.content_type()))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Scans of ID cards and signatures: no shared cache may keep them.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::CONTENT_LENGTH, record.byte_size))
        .streaming(stream))
}

/// `PUT /api/v1/tickets/{number}/attachments/{kind}`: the requester sends a corrected file
/// while the agent waits for them. Same checks as intake; needs `If-Match`.
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (number, kind) = path.into_inner();
    let ticket = visible_ticket(&state, &caller, &number).await?;
    let kind = AttachmentKind::from_code(&kind).ok_or(ApiError::NotFound(Missing::Attachment))?;
    let Some(actor) = caller.person() else {
        return Err(ApiError::Forbidden {
            code: "not_permitted",
            message: Message::new(
                "Hanya pemohon yang dapat mengganti lampiran.",
                "Only the requester may replace an attachment.",
            ),
        });
    };
    may_replace_attachment(actor, &facts(&ticket)?).map_err(refusal)?;
    let expected = if_match(&request)?;
    if expected != ticket.version {
        return Err(ApiError::PreconditionFailed {
            current: ticket.version,
        });
    }
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
            &caller.history_actor("requester"),
            chrono::Utc::now(),
        )
        .await?;
    ticket_response(&caller, updated)
}
