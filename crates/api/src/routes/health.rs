//! Where a newcomer lands (`/`: what is served where), liveness (the process answers)
//! and readiness (it can reach its database).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::error::ApiError;
use crate::json_line::JsonLine;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` in a 200.
    pub status: &'static str,
    /// For readiness: the database backend reached, `postgres` or `sqlite`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    /// For readiness: the working calendar's years.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub calendar: Option<CalendarHealth>,
}

/// Which years of days off the desk knows, and which it will need and lacks (in those,
/// every holiday counts as a working day): a warning, not a failure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarHealth {
    pub years: Vec<i32>,
    /// Of this year and the next, the ones without days off.
    pub missing: Vec<i32>,
}

/// What is served where, for whoever opens the desk's address.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Index {
    pub name: &'static str,
    pub version: &'static str,
    /// The REST API.
    pub api: &'static str,
    /// The API's reference (Swagger UI over the OpenAPI document).
    pub docs: &'static str,
    pub openapi: &'static str,
    /// The RA console, for agents, officers and supervisors.
    pub console: &'static str,
    pub health: &'static str,
}

/// What is served where.
///
/// The address a person opens first: the API, its reference, the console.
#[utoipa::path(
    get,
    path = "/",
    tag = "operations",
    operation_id = "index",
    responses((status = 200, description = "What is served where.", body = Index)),
)]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok().json_line(Index {
        name: "certdesk",
        version: env!("CARGO_PKG_VERSION"),
        api: "/api/v1",
        docs: "/docs/",
        openapi: "/openapi.json",
        console: "/console/",
        health: "/health/ready",
    })
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
    HttpResponse::Ok().json_line(Health {
        status: "ok",
        database: None,
        calendar: None,
    })
}

/// Readiness.
///
/// The process can reach its database. The details say which years of days off the
/// working calendar knows and which it lacks.
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
    Ok(HttpResponse::Ok().json_line(Health {
        status: "ok",
        database: Some(state.store.backend()),
        calendar: Some(CalendarHealth {
            years: state.service_levels.calendar().years().collect(),
            missing: state
                .service_levels
                .calendar()
                .missing_years(chrono::Utc::now()),
        }),
    }))
}
