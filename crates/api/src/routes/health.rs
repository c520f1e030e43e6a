//! Liveness (the process answers) and readiness (it can reach its database).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` in a 200.
    pub status: &'static str,
    /// For readiness: the database backend reached, `postgres` or `sqlite`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness.
///
/// The process answers.
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "operations",
    operation_id = "live",
    responses((status = 200, description = "Alive.", body = Health)),
)]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: None,
    })
}

/// Readiness.
///
/// The process can reach its database.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "operations",
    operation_id = "ready",
    responses((status = 200, description = "Ready to serve.", body = Health)),
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Err(error) = state.store.ping().await {
        tracing::warn!(%error, "readiness check: database unreachable");
        return Err(ApiError::Unavailable);
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        database: Some(state.store.backend()),
    }))
}
