//! Keyset paging, as every list answers it: an opaque `cursor` in, a `next` link (and an
//! RFC 8288 `Link` header with the same URL) out.

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderName, LINK};
use certdesk_domain::{Message, ProblemCode};

use crate::error::ApiError;

/// A `cursor` parameter that is not one of ours.
pub(crate) fn invalid_cursor() -> ApiError {
    ApiError::invalid(
        "cursor",
        ProblemCode::Required,
        Message::new(
            "Kursor halaman tidak valid; gunakan tautan `next` apa adanya.",
            "Invalid page cursor; use the `next` link as given.",
        ),
    )
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
