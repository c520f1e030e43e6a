//! `GET /api/v1/tickets/{number}/attachments/{kind}`: the stored file, streamed, with the
//! content type detected at intake. Always a download, never rendered inline, and never
//! sniffed by the browser: an uploaded file must not run as a page of ours.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use certdesk_domain::AttachmentKind;

use super::parse_number;
use crate::error::{ApiError, Missing};
use crate::state::AppState;

pub async fn download(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (number, kind) = path.into_inner();
    let number = parse_number(&number)?;
    let kind = AttachmentKind::from_code(&kind).ok_or(ApiError::NotFound(Missing::Attachment))?;
    let (record, stream) = state
        .store
        .attachment(number, kind)
        .await?
        .ok_or(ApiError::NotFound(Missing::Attachment))?;
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
