//! What each request's log lines carry: the root span (method, route pattern, peer,
//! request ids) and the client's own request id when it is safe to log. The process's
//! subscriber is set up by the binary. Personal data never reaches either: handlers log
//! ticket numbers, services and problem codes, never NIK, names, emails or file contents.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

/// The request id a client sent in `X-Request-Id`, if it is one we can safely log and
/// echo: 1 to 64 letters, digits, `.`, `_` or `-`. Anything else is ignored (never
/// refused) and the server's own id is used.
pub fn client_request_id(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("x-request-id")?.to_str().ok()?;
    let valid = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    valid.then_some(value)
}

/// The root span of every request: the method, the route's pattern, the peer, the
/// request id (and the client's own, when it sent one, so that the id it gets back finds
/// the request's log lines).
///
/// Not the path or the query as sent: people search by name or NIK (`?q=`), and a
/// path can hold whatever a client typed into it. The route's pattern
/// (`/api/v1/tickets/{number}`) says which handler ran; handlers log ticket numbers.
/// Not the user agent or `X-Forwarded-For` either: they are the client's own words.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        use actix_web::HttpMessage;
        use tracing::field::Empty;
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let peer = request
            .peer_addr()
            .map(|address| address.ip().to_string())
            .unwrap_or_default();
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.client_ip = %peer,
            http.status_code = Empty,
            otel.status_code = Empty,
            request_id = %request_id,
            client_request_id = Empty,
            exception.message = Empty,
            exception.details = Empty,
        );
        if let Some(id) = client_request_id(request.headers()) {
            span.record("client_request_id", id);
        }
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
