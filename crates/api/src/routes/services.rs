//! The service catalogue, for clients that build their forms from it.

use actix_web::{HttpResponse, web};
use certdesk_domain::catalogue::catalogue;

use crate::auth::Caller;
use crate::state::AppState;

/// Any signed-in caller may read it.
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(catalogue(
        &state.attachments,
        &state.units,
        &state.email_domains,
    ))
}
