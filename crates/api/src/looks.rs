//! A look at personal data, as the audit records it: who (from the caller), from where
//! (the client's address, as the rate limits read it behind trusted proxies) and which
//! request (the id its response carried, which its log lines carry too).

use actix_web::{HttpMessage, HttpRequest, web};
use certdesk_domain::TicketNumber;
use certdesk_domain::audit::LookKind;
use certdesk_domain::lifecycle::Capacity;
use certdesk_store::NewLook;

use crate::auth::Caller;
use crate::rate_limits::RateLimits;

pub(crate) fn look(
    request: &HttpRequest,
    caller: &Caller,
    kind: LookKind,
    ticket: Option<TicketNumber>,
    detail: Option<&'static str>,
) -> NewLook {
    let capacity = caller
        .person()
        .map_or(Capacity::Integrator, Capacity::viewing);
    let client_ip = request
        .app_data::<web::Data<RateLimits>>()
        .and_then(|limits| limits.client_address(request))
        .or_else(|| request.peer_addr().map(|peer| peer.ip()))
        .map(|ip| ip.to_string());
    // The id the response carried: the client's own when it sent a usable one.
    let request_id = crate::request_log::client_request_id(request.headers())
        .map(str::to_owned)
        .or_else(|| {
            request
                .extensions()
                .get::<tracing_actix_web::RequestId>()
                .map(|id| id.to_string())
        });
    NewLook {
        kind,
        actor: caller.history_actor(capacity),
        ticket,
        detail,
        client_ip,
        request_id,
    }
}
