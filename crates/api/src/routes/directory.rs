//! The officers' and the RA staff's directories, kept by supervisors (`certdesk officers
//! import` and `certdesk staff import` do the same in bulk): `GET /api/v1/officers`,
//! `PUT /api/v1/officers/{nip}`, `GET /api/v1/staff`, `PUT /api/v1/staff/{nip}`. The two
//! differ only in their entry's type: one generic path lists and saves both, and the
//! handlers below only name which.

use actix_web::{HttpResponse, web};
use certdesk_domain::staff::{StaffFields, StaffMember};
use certdesk_domain::{DirectoryEntry, EntryFields, Listed, Officer, OfficerFields, Problem};
use certdesk_store::KeptDirectory;
use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::json_line::JsonLine;
use crate::state::AppState;

/// A directory entry as the directory holds it: the NIP, the entry's fields, and what it
/// breaks under today's rules. Published as `OfficerEntry` and `StaffEntry`.
#[derive(Debug, Serialize)]
pub struct EntryResponse<F> {
    pub nip: String,
    #[serde(flatten)]
    pub fields: F,
    pub problems: Vec<Problem>,
}

/// An officer's entry, as the API answers it.
pub type OfficerEntry = EntryResponse<OfficerFields>;
/// A staff member's entry, as the API answers it.
pub type StaffEntry = EntryResponse<StaffFields>;

/// The fields' own properties beside `nip` and `problems`, in one object. (A derived
/// schema would put the fields' object, which refuses other properties as a request
/// body must, beside the rest in an `allOf` that no response could satisfy.)
impl<F: ToSchema> PartialSchema for EntryResponse<F> {
    fn schema() -> RefOr<Schema> {
        let mut entry = ObjectBuilder::new()
            .description(Some("A directory entry as the directory holds it."))
            .property(
                "nip",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The person's NIP (18 digits).")),
            )
            .required("nip");
        if let RefOr::T(Schema::Object(fields)) = F::schema() {
            for (name, property) in fields.properties {
                entry = entry.property(name, property);
            }
            for name in fields.required {
                entry = entry.required(name);
            }
        }
        entry
            .property(
                "problems",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(Problem::name()))
                    .description(Some(
                        "What a stored entry breaks under today's rules (its mail domain taken \
                         off the desk's list, a rule grown stricter since): a supervisor should correct it. \
                         Empty when it passes.",
                    )),
            )
            .required("problems")
            .into()
    }
}

impl<F: ToSchema> ToSchema for EntryResponse<F> {
    fn name() -> Cow<'static, str> {
        let fields = F::name();
        Cow::Owned(format!("{}Entry", fields.trim_end_matches("Fields")))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Problem::name().into(), Problem::schema()));
        Problem::schemas(schemas);
    }
}

impl<E: DirectoryEntry> From<&Listed<E>> for EntryResponse<E::Fields>
where
    E::Fields: ToSchema,
{
    fn from(entry: &Listed<E>) -> Self {
        Self {
            nip: entry.nip().to_owned(),
            fields: entry.fields(),
            problems: entry.problems().to_vec(),
        }
    }
}

/// Directory `E`, every entry read against the rules in force. Supervisors only.
pub(crate) async fn entries<E: KeptDirectory>(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<EntryResponse<E::Fields>>, ApiError>
where
    E::Fields: Send + ToSchema,
{
    caller.require_supervisor()?;
    let listed = state.store.directory::<E>(state.intake_rules()).await?;
    Ok(listed.iter().map(EntryResponse::from).collect())
}

/// Checks an entry as the CSV import does and stores it (the console's activate and
/// deactivate buttons come here too). Supervisors only.
pub(crate) async fn save<E: KeptDirectory>(
    state: &AppState,
    caller: &Caller,
    nip: &str,
    fields: E::Fields,
) -> Result<EntryResponse<E::Fields>, ApiError>
where
    E::Fields: Send + ToSchema,
{
    caller.require_supervisor()?;
    let entry =
        E::check(nip, fields, state.intake_rules()).map_err(|problems| ApiError::Validation {
            problems,
            warnings: Vec::new(),
        })?;
    state
        .store
        .save_entries(std::slice::from_ref(&entry))
        .await?;
    tracing::info!(nip = %entry.nip(), active = entry.fields().active(), "directory entry saved");
    Ok(EntryResponse::from(&Listed::Current(entry)))
}

/// Makes the entry for `nip` in directory `E` inactive, whatever today's rules say of
/// the rest of it; `None` when there is no such entry. Supervisors only.
pub(crate) async fn deactivate<E: KeptDirectory>(
    state: &AppState,
    caller: &Caller,
    nip: &str,
) -> Result<Option<()>, ApiError>
where
    E::Fields: Send + ToSchema,
{
    caller.require_supervisor()?;
    let found = state.store.deactivate_entry::<E>(nip).await?;
    if found {
        tracing::info!(nip, active = false, "directory entry saved");
    }
    Ok(found.then_some(()))
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
        (status = 200, description = "Every officer, active or not.", body = [OfficerEntry]),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn officers(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json_line(entries::<Officer>(&state, &caller).await?))
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
    request_body = OfficerFields,
    responses(
        (status = 200, description = "The officer as stored.", body = OfficerEntry),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn put_officer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<OfficerFields>,
) -> Result<HttpResponse, ApiError> {
    let saved = save::<Officer>(&state, &caller, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json_line(saved))
}

/// The RA staff directory: who may be assigned tickets, and where and in which language
/// agents are written to.
///
/// Supervisors only.
#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "administration",
    operation_id = "list_staff",
    responses(
        (status = 200, description = "Every staff member, active or not.", body = [StaffEntry]),
        (status = 403, response = crate::responses::NotPermitted),
    )
)]
pub async fn staff(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json_line(entries::<StaffMember>(&state, &caller).await?))
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
    request_body = StaffFields,
    responses(
        (status = 200, description = "The staff member as stored.", body = StaffEntry),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
    )
)]
pub async fn put_staff_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<StaffFields>,
) -> Result<HttpResponse, ApiError> {
    let saved = save::<StaffMember>(&state, &caller, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json_line(saved))
}
