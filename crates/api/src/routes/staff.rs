//! `GET /api/v1/staff` and `PUT /api/v1/staff/{nip}`: the RA staff directory, kept by
//! supervisors (`certdesk staff import` does the same in bulk). Who may be assigned
//! tickets, and where and in which language agents are written to.

use actix_web::{HttpResponse, web};
use certdesk_domain::staff::{StaffMember, StaffRow};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffResponse {
    pub nip: String,
    pub name: String,
    pub email: String,
    pub unit: String,
    /// `id` or `en`: the language of their emails.
    pub language: String,
    #[schema(value_type = String, example = "agent")]
    pub role: String,
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "name": "Rina Contoh", "email": "rina.contoh@kemenkeu.go.id",
    "unit": "Sekretariat Jenderal", "language": "id", "role": "agent", "active": true
}))]
#[serde(deny_unknown_fields)]
pub struct StaffRequest {
    pub name: String,
    pub email: String,
    pub unit: String,
    /// `id` (the default) or `en`.
    pub language: Option<String>,
    /// `agent` or `supervisor`.
    #[schema(value_type = String, example = "agent")]
    pub role: String,
    pub active: bool,
}

pub(crate) fn response(row: StaffRow) -> StaffResponse {
    StaffResponse {
        active: row.active == "true",
        nip: row.nip,
        name: row.name,
        email: row.email,
        unit: row.unit,
        language: row.language,
        role: row.role,
    }
}

/// The RA staff directory.
///
/// Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "administration",
    operation_id = "list_staff",
    responses(
        (status = 200, description = "Every staff member, active or not.", body = Vec<StaffResponse>),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_supervisor()?;
    let staff: Vec<StaffResponse> = state
        .store
        .staff()
        .await?
        .into_iter()
        .map(response)
        .collect();
    Ok(HttpResponse::Ok().json(staff))
}

/// Create or update a staff member.
///
/// Deactivate rather than delete: the history names them, and an inactive agent can no
/// longer be assigned tickets. Supervisors only.
#[utoipa::path(
    put,
    path = "/api/v1/staff/{nip}",
    tag = "administration",
    operation_id = "put_staff_member",
    params(("nip" = String, Path, description = "The staff member's NIP (18 digits).", example = "198501012010011001")),
    request_body = StaffRequest,
    responses(
        (status = 200, description = "The staff member as stored.", body = StaffResponse),
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
    body: web::Json<StaffRequest>,
) -> Result<HttpResponse, ApiError> {
    let saved = save(&state, &caller, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Checks the staff member's row as the CSV import does and stores it (the console's
/// activate and deactivate buttons come here too).
pub(crate) async fn save(
    state: &AppState,
    caller: &Caller,
    nip: String,
    body: StaffRequest,
) -> Result<StaffResponse, ApiError> {
    caller.require_supervisor()?;
    let row = StaffRow {
        nip,
        name: body.name,
        email: body.email,
        unit: body.unit,
        language: body.language.unwrap_or_default(),
        role: body.role,
        active: body.active.to_string(),
    };
    let member = StaffMember::from_row(&row, &state.units, &state.rules.email_domains).map_err(
        |problems| ApiError::Validation {
            problems,
            warnings: Vec::new(),
        },
    )?;
    state
        .store
        .import_staff(std::slice::from_ref(&member))
        .await?;
    tracing::info!(staff = %member.nip, role = member.role.code(), active = member.active, "staff member saved");
    Ok(StaffResponse {
        nip: member.nip.as_str().to_owned(),
        name: member.name,
        email: member.email.as_str().to_owned(),
        unit: member.unit.as_str().to_owned(),
        language: member.language.code().to_owned(),
        role: member.role.code().to_owned(),
        active: member.active,
    })
}
