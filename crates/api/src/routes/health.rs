//! Liveness (the process answers) and readiness (it can reach its database).

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Err(error) = state.store.ping().await {
        tracing::warn!(%error, "readiness check: database unreachable");
        return Err(ApiError::Unavailable);
    }
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "database": state.store.backend() })))
}
