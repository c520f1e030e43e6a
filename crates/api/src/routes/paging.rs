//! Keyset paging, as every list answers it: an opaque `cursor` in, a `next` link (and an
//! RFC 8288 `Link` header with the same URL) out.

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderName, LINK};

use crate::error::{ApiError, FieldRule};

/// A `cursor` parameter that is not one of ours.
pub(crate) fn invalid_cursor() -> ApiError {
    ApiError::invalid("cursor", &FieldRule::CursorInvalid)
}

/// `Link: <…>; rel="next"`, the same URL as the body's `next`.
pub(crate) fn link_next(next: &str) -> (HeaderName, String) {
    (LINK, format!("<{next}>; rel=\"next\""))
}

/// The request's own URL with `cursor` set to the next page's.
pub(crate) fn next_link(request: &HttpRequest, cursor: &str) -> String {
    let kept: Vec<&str> = request
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("cursor="))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!("{}?{query}cursor={cursor}", request.path())
}
