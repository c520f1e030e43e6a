//! The service catalogue, for clients that build their forms from it.

use actix_web::{HttpResponse, web};
use certdesk_domain::catalogue::catalogue;

use crate::auth::Caller;
use crate::json_line::JsonLine;
use crate::state::AppState;

/// The service catalogue.
///
/// Every service with its sub-types or reasons, the attachments each needs with their
/// limits as this deployment applies them, and the data lists (units, mail domains). Built
/// from the rules intake enforces. Any signed-in caller may read it.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "tickets",
    operation_id = "service_catalogue",
    responses(
        (status = 200, description = "The catalogue.", body = certdesk_domain::catalogue::Catalogue),
    )
)]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json_line(catalogue(
        &state.attachments,
        &state.units,
        &state.rules.email_domains,
    ))
}
