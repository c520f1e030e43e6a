//! The service catalogue, for clients that build their forms from it.

use actix_web::{HttpResponse, web};
use certdesk_domain::catalogue::catalogue;

use crate::state::AppState;

pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(catalogue(
        &state.attachments,
        &state.units,
        &state.email_domains,
    ))
}
