//! `GET /api/v1/officers` and `PUT /api/v1/officers/{nip}`: the responsible officers'
//! directory, kept by supervisors (the CSV import does the same in bulk).

use actix_web::{HttpResponse, web};
use certdesk_domain::{Officer, OfficerRow};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerResponse {
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub email: String,
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "name": "Sari Contoh", "unit": "Sekretariat Jenderal",
    "email": "sari.contoh@kemenkeu.go.id", "active": true
}))]
#[serde(deny_unknown_fields)]
pub struct OfficerRequest {
    pub name: String,
    pub unit: String,
    pub email: String,
    pub active: bool,
}

pub(crate) fn response(row: OfficerRow) -> OfficerResponse {
    OfficerResponse {
        active: row.active == "true",
        nip: row.nip,
        name: row.name,
        unit: row.unit,
        email: row.email,
    }
}

/// The officers' directory.
///
/// Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/officers",
    tag = "administration",
    operation_id = "list_officers",
    responses(
        (status = 200, description = "Every officer, active or not.", body = Vec<OfficerResponse>),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let officers: Vec<OfficerResponse> = state
        .store
        .officers()
        .await?
        .into_iter()
        .map(response)
        .collect();
    Ok(HttpResponse::Ok().json(officers))
}

/// Create or update an officer.
///
/// Deactivate rather than delete: old tickets name them. Supervisors only.
#[utoipa::path(
    put,
    path = "/api/v1/officers/{nip}",
    tag = "administration",
    operation_id = "put_officer",
    params(("nip" = String, Path, description = "The officer's NIP (18 digits).", example = "197501012000031002")),
    request_body = OfficerRequest,
    responses(
        (status = 200, description = "The officer as stored.", body = OfficerResponse),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<OfficerRequest>,
) -> Result<HttpResponse, ApiError> {
    let saved = save(&state, &caller, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Checks the officer's row as the CSV import does and stores it (the console's
/// activate and deactivate buttons come here too).
pub(crate) async fn save(
    state: &AppState,
    caller: &Caller,
    nip: String,
    body: OfficerRequest,
) -> Result<OfficerResponse, ApiError> {
    caller.require_supervisor()?;
    let row = OfficerRow {
        nip,
        name: body.name,
        unit: body.unit,
        email: body.email,
        active: body.active.to_string(),
    };
    let officer =
        Officer::from_row(&row, &state.units, &state.rules.email_domains).map_err(|problems| {
            ApiError::Validation {
                problems,
                warnings: Vec::new(),
            }
        })?;
    state
        .store
        .import_officers(std::slice::from_ref(&officer))
        .await?;
    tracing::info!(officer = %officer.nip, active = officer.active, "officer saved");
    Ok(OfficerResponse {
        nip: officer.nip.as_str().to_owned(),
        name: officer.name,
        unit: officer.unit.as_str().to_owned(),
        email: officer.email.as_str().to_owned(),
        active: officer.active,
    })
}
