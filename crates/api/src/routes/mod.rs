//! Routes by resource; files by verb.

pub mod health;
pub mod lists;
pub mod officers;
pub mod outbox;
pub mod routing_rules;
pub mod services;
pub mod tickets;

use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use certdesk_domain::{Message, Problem, ProblemCode};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Generated once; every worker serves the same bytes.
    let document = web::Bytes::from(crate::openapi::document_json());
    cfg.app_data(json_config())
        .app_data(query_config())
        .service(web::resource("/openapi.json").route(web::get().to(move || {
            let document = document.clone();
            async move {
                HttpResponse::Ok()
                    .content_type(mime::APPLICATION_JSON)
                    .body(document)
            }
        })))
        .service(web::redirect("/docs", "/docs/"))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
        )
        .service(web::resource("/health/live").route(web::get().to(health::live)))
        .service(web::resource("/health/ready").route(web::get().to(health::ready)))
        .service(web::resource("/metrics").route(web::get().to(outbox::metrics)))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/services").route(web::get().to(services::list)))
                .service(web::resource("/tickets").route(web::post().to(tickets::create::create)))
                .service(
                    web::resource("/tickets/validate")
                        .route(web::post().to(tickets::validate::validate)),
                )
                .service(web::resource("/tickets/{number}").route(web::get().to(tickets::get::get)))
                .service(
                    web::resource("/tickets/{number}/actions")
                        .route(web::post().to(tickets::actions::act)),
                )
                .service(
                    web::resource("/tickets/{number}/comments")
                        .route(web::post().to(tickets::comments::add)),
                )
                .service(
                    web::resource("/tickets/{number}/history")
                        .route(web::get().to(tickets::history::list)),
                )
                .service(
                    web::resource("/tickets/{number}/attachments/{kind}")
                        .route(web::get().to(tickets::attachment::download))
                        .route(web::put().to(tickets::attachment::replace)),
                )
                .service(web::resource("/queues").route(web::get().to(lists::queues)))
                .service(
                    web::resource("/queues/{queue}/tickets")
                        .route(web::get().to(lists::queue_tickets)),
                )
                .service(web::resource("/me/tickets").route(web::get().to(lists::my_tickets)))
                .service(
                    web::resource("/officers/me/tickets")
                        .route(web::get().to(lists::officer_tickets)),
                )
                .service(web::resource("/officers").route(web::get().to(officers::list)))
                .service(web::resource("/officers/{nip}").route(web::put().to(officers::put)))
                .service(
                    web::resource("/outbox/dead-letters")
                        .route(web::get().to(outbox::dead_letters)),
                )
                .service(
                    web::resource("/outbox/dead-letters/requeue")
                        .route(web::post().to(outbox::requeue_all)),
                )
                .service(
                    web::resource("/outbox/dead-letters/{event_id}/requeue")
                        .route(web::post().to(outbox::requeue)),
                )
                .service(
                    web::resource("/routing-rules")
                        .route(web::get().to(routing_rules::get))
                        .route(web::put().to(routing_rules::put)),
                ),
        );
}

/// JSON bodies: small, and their errors in problem+json naming the field.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|error, _| {
            use actix_web::error::JsonPayloadError;
            let (field, message) = match &error {
                JsonPayloadError::ContentType => (
                    "body",
                    Message::new(
                        "Kirim JSON dengan `Content-Type: application/json`.",
                        "Send JSON with `Content-Type: application/json`.",
                    ),
                ),
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => {
                    return ApiError::PayloadTooLarge {
                        limit: Some(64 * 1024),
                    }
                    .into();
                }
                other => (
                    "body",
                    Message::new(
                        format!("JSON tidak valid: {other}"),
                        format!("Invalid JSON: {other}"),
                    ),
                ),
            };
            ApiError::Validation {
                problems: vec![Problem::new(field, ProblemCode::InvalidJson, message)],
                warnings: Vec::new(),
            }
            .into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        ApiError::Validation {
            problems: vec![Problem::new(
                "query",
                ProblemCode::InvalidJson,
                Message::new(
                    format!("Parameter tidak valid: {error}"),
                    format!("Invalid query parameters: {error}"),
                ),
            )],
            warnings: Vec::new(),
        }
        .into()
    })
}
