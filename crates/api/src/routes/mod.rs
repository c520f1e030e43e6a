//! Routes by resource; files by verb.

pub mod audit;
pub mod data_subjects;
pub mod directory;
pub mod health;
pub mod lists;
pub mod outbox;
pub(crate) mod paging;
pub mod routing_rules;
pub mod services;
pub mod tickets;

use actix_web::web;

/// Declares the API's routes once: the resource tree `configure` registers, and the list
/// of (path, method) a test holds the OpenAPI document against, so that a route cannot
/// exist undocumented.
macro_rules! api_routes {
    ($($path:literal => { $($method:ident: $handler:path),+ $(,)? }),* $(,)?) => {
        /// Every route under `/api/v1`: its path (as the OpenAPI document writes it) and
        /// its method.
        pub const API_ROUTES: &[(&str, &str)] = &[$($(($path, stringify!($method))),+),*];

        fn api_v1() -> actix_web::Scope {
            web::scope("/api/v1")
                $(.service(web::resource($path)$(.route(web::$method().to($handler)))+))*
        }
    };
}

api_routes! {
    "/services" => { get: services::list },
    "/tickets" => { post: tickets::create::create },
    "/tickets/validate" => { post: tickets::validate::validate },
    "/tickets/{number}" => { get: tickets::get::get },
    "/tickets/{number}/actions" => { post: tickets::actions::act },
    "/tickets/{number}/comments" => { post: tickets::comments::add },
    "/tickets/{number}/history" => { get: tickets::history::list },
    "/tickets/{number}/attachments/{kind}" => {
        get: tickets::attachment::download,
        put: tickets::attachment::replace,
    },
    "/queues" => { get: lists::queues },
    "/queues/{queue}/tickets" => { get: lists::queue_tickets },
    "/me/tickets" => { get: lists::my_tickets },
    "/officers/me/tickets" => { get: lists::officer_tickets },
    "/officers" => { get: directory::officers },
    "/officers/{nip}" => { put: directory::put_officer },
    "/staff" => { get: directory::staff },
    "/staff/{nip}" => { put: directory::put_staff_member },
    "/outbox/dead-letters" => { get: outbox::dead_letters },
    "/outbox/dead-letters/requeue" => { post: outbox::requeue_all },
    "/outbox/dead-letters/{event_id}/requeue" => { post: outbox::requeue },
    "/routing-rules" => { get: routing_rules::get, put: routing_rules::put },
    "/audit" => { get: audit::list },
    "/data-subjects/export" => { post: data_subjects::export },
    "/data-subjects/anonymise" => { post: data_subjects::anonymise },
}

/// The API, the health checks and the metrics. (The OpenAPI document and its UI are
/// served by `crate::openapi`, which sits above the routes it describes.)
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(health::index)))
        .service(web::resource("/health/live").route(web::get().to(health::live)))
        .service(web::resource("/health/ready").route(web::get().to(health::ready)))
        .service(web::resource("/metrics").route(web::get().to(outbox::metrics)))
        .service(api_v1());
}
