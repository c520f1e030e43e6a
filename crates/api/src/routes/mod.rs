//! Routes by resource; files by verb.

pub mod health;
pub mod services;
pub mod tickets;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health/live").route(web::get().to(health::live)))
        .service(web::resource("/health/ready").route(web::get().to(health::ready)))
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
                    web::resource("/tickets/{number}/attachments/{kind}")
                        .route(web::get().to(tickets::attachment::download)),
                ),
        );
}
