//! The multipart bodies, as the OpenAPI document describes them: what the derive macros
//! cannot read from a handler that streams its parts.

use certdesk_domain::TicketDraft;
use utoipa::ToSchema;

/// The multipart body of `POST /api/v1/tickets` and `POST /api/v1/tickets/validate`.
/// Which files a ticket needs depends on its service: see `GET /api/v1/services`.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes a body; never built.
pub struct TicketForm {
    /// The ticket's data as JSON (part content type `application/json`).
    ticket: TicketDraft,
    /// JPEG or PNG, at most 448×290 pixels. Needed for 15.1 and for changes of name or NIP.
    #[schema(value_type = String, format = Binary, required = false)]
    ktp_scan: Vec<u8>,
    /// JPEG or PNG, at most 448×290 pixels. Needed for 15.1.
    #[schema(value_type = String, format = Binary, required = false)]
    signature_scan: Vec<u8>,
    /// PDF, JPEG or PNG. Needed for 15.1.
    #[schema(value_type = String, format = Binary, required = false)]
    recommendation_letter: Vec<u8>,
    /// JPEG or PNG. Needed for 15.1: the DS status HRIS shows.
    #[schema(value_type = String, format = Binary, required = false)]
    hris_status_screenshot: Vec<u8>,
    /// JPEG or PNG. Needed for 15.1: the error the HRIS registration gave.
    #[schema(value_type = String, format = Binary, required = false)]
    error_screenshot: Vec<u8>,
}

/// The multipart body of an attachment replacement: one file part, named after the
/// attachment's kind (the `{kind}` of the path), checked by the same rules as at intake.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes a body; never built.
pub struct AttachmentForm {
    /// When replacing `ktp_scan`.
    #[schema(value_type = String, format = Binary, required = false)]
    ktp_scan: Vec<u8>,
    /// When replacing `signature_scan`.
    #[schema(value_type = String, format = Binary, required = false)]
    signature_scan: Vec<u8>,
    /// When replacing `recommendation_letter`.
    #[schema(value_type = String, format = Binary, required = false)]
    recommendation_letter: Vec<u8>,
    /// When replacing `hris_status_screenshot`.
    #[schema(value_type = String, format = Binary, required = false)]
    hris_status_screenshot: Vec<u8>,
    /// When replacing `error_screenshot`.
    #[schema(value_type = String, format = Binary, required = false)]
    error_screenshot: Vec<u8>,
}
