//! `POST /api/v1/tickets/{number}/actions`: move a ticket through its life. The domain
//! decides; this handler checks `If-Match`, maps refusals to statuses, and stores.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::lifecycle::{
    Action, ActionKind, AuthorityReport, ProfileState, Refusal, RequesterStep, decide,
};
use certdesk_domain::staff::{StaffMember, may_be_assigned};
use certdesk_domain::{CertificateStatus, Nip, ProblemCode};
use certdesk_store::{StoreError, TicketRecord};
use chrono::Utc;
use serde::Deserialize;

use super::get::ticket_response;
use super::{if_match, visible_ticket};
use crate::auth::Caller;
use crate::error::{ApiError, FieldRule};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(examples(
    json!({ "action": "request_information", "reason": "Pindaian KTP buram; unggah ulang." }),
    json!({ "action": "record_authority_status", "certificate_status": "On Set Passphrase", "profile": "verified", "note": "Profil diverifikasi; tautan passphrase dikirim ulang." }),
    json!({ "action": "send_authority_link", "step": "set_passphrase" })
))]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[schema(value_type = certdesk_domain::lifecycle::ActionKind)]
    pub action: String,
    /// Required for `decline`, `reject`, `request_information` and `reopen`; shown to the
    /// requester.
    pub reason: Option<String>,
    /// For `assign`: the agent's NIP.
    pub assignee_nip: Option<String>,
    /// What the agent found at the certificate authority: required for
    /// `wait_on_authority` and `record_authority_status`, optional for `resolve` and
    /// `send_authority_link`; the other actions refuse it (`not_for_action`).
    #[schema(value_type = Option<certdesk_domain::CertificateStatus>)]
    pub certificate_status: Option<String>,
    /// With `certificate_status`: the profile's state in the authority's portal.
    #[schema(value_type = Option<certdesk_domain::lifecycle::ProfileState>)]
    pub profile: Option<String>,
    /// With `certificate_status`: the certificate's last valid day (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date, example = "2028-06-30")]
    pub valid_until: Option<String>,
    /// With `certificate_status`: whether enrolment is locked at the authority.
    pub enrolment_locked: Option<bool>,
    /// With `certificate_status`: what the agent did there, in a sentence (at most 500
    /// characters; checked like any free text).
    pub note: Option<String>,
    /// For `send_authority_link`: what the requester must do through the link.
    #[schema(value_type = Option<certdesk_domain::lifecycle::RequesterStep>)]
    pub step: Option<String>,
}

/// Act on a ticket.
///
/// Moves the ticket through its life. Who may take which action in which state is the
/// domain's rule table (drawn in docs/desk.md); a refusal names the rule. Needs `If-Match`.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{number}/actions",
    tag = "lifecycle",
    operation_id = "act_on_ticket",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887"), ("If-Match" = String, Header, description = "The `ETag` of the ticket as last read.", example = "\"3\"")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "The ticket after the action.", body = super::get::TicketResponse,
            headers(("ETag" = String, description = "The ticket's new version."))),
        (status = 403, response = crate::responses::NotPermitted),
        (status = 404, response = crate::responses::TicketNotFound),
        (status = 409, response = crate::responses::Conflict),
        (status = 412, response = crate::responses::StaleVersion),
        (status = 413, response = crate::responses::PayloadTooLarge),
        (status = 415, response = crate::responses::UnsupportedMediaType),
        (status = 422, response = crate::responses::ValidationFailed),
        (status = 428, response = crate::responses::IfMatchRequired),
    )
)]
pub async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<String>,
    body: Json<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let updated = perform(
        &state,
        &caller,
        &path,
        || if_match(&request),
        body.into_inner(),
    )
    .await?;
    ticket_response(&state, &request, &caller, updated).await
}

/// Takes an action as `caller` on the ticket `number` as they last read it (`expected`,
/// asked for once the ticket and the caller are known), and answers the ticket after it.
/// The one way anyone acts: the API's route and the console's forms both come here.
pub(crate) async fn perform(
    state: &AppState,
    caller: &Caller,
    number: &str,
    expected: impl FnOnce() -> Result<i32, ApiError>,
    request: ActionRequest,
) -> Result<TicketRecord, ApiError> {
    let ticket = visible_ticket(state, caller, number).await?;
    let Some(actor) = caller.person() else {
        return Err(ApiError::IntegratorsCannotAct);
    };
    let expected = expected()?;
    let action = parse_action(request)?;
    let now = Utc::now();
    // The rules first: who may act, and whether the ticket's state allows it, are
    // answered the same whatever version the caller saw.
    let transition = decide(&ticket.facts(), actor, &action, now, &state.rules.lifecycle)?;
    // Work goes only to someone active in the staff directory.
    if let (ActionKind::Assign, Some(assignee)) = (action.kind, &transition.assignee_nip) {
        let entry = state
            .store
            .directory_entry::<StaffMember>(assignee, state.intake_rules())
            .await?;
        may_be_assigned(entry.as_ref()).map_err(|problem| ApiError::Validation {
            problems: vec![problem],
            warnings: Vec::new(),
        })?;
    }
    if expected != ticket.version {
        return Err(ApiError::StaleVersion {
            current: ticket.version,
        });
    }
    let result = state
        .store
        .apply_transition(
            ticket.number,
            expected,
            &transition,
            &caller.history_actor(transition.capacity),
            &state.service_levels,
            now,
        )
        .await;
    match result {
        Ok(updated) => Ok(updated),
        // Two agents claimed at once and the other one's update landed first: decided
        // again on the ticket as it is now, the claim lost the race.
        Err(StoreError::Stale { current }) if action.kind == ActionKind::Claim => {
            let now_held = state.store.ticket(ticket.number).await?;
            match now_held.map(|t| decide(&t.facts(), actor, &action, now, &state.rules.lifecycle))
            {
                Some(Err(Refusal::AlreadyClaimed)) => Err(Refusal::AlreadyClaimed.into()),
                _ => Err(ApiError::StaleVersion { current }),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_action(request: ActionRequest) -> Result<Action, ApiError> {
    let kind = ActionKind::from_code(&request.action).ok_or_else(|| {
        ApiError::invalid(
            "action",
            &FieldRule::unknown_choice(
                "action",
                ProblemCode::Required,
                &ActionKind::ALL,
                ActionKind::code,
            ),
        )
    })?;
    let certificate_status = match request.certificate_status.as_deref() {
        Some(label) => Some(CertificateStatus::from_label(label).ok_or_else(|| {
            ApiError::invalid(
                "certificate_status",
                &FieldRule::unknown_choice(
                    "certificate_status",
                    ProblemCode::CertificateStatusUnknown,
                    &CertificateStatus::ALL,
                    CertificateStatus::label,
                ),
            )
        })?),
        None => None,
    };
    let assignee_nip = match request.assignee_nip.as_deref() {
        Some(raw) => Some(Nip::parse(raw).map_err(|e| ApiError::invalid("assignee_nip", &e))?),
        None => None,
    };
    let profile = request
        .profile
        .as_deref()
        .map(|code| {
            ProfileState::from_code(code).ok_or_else(|| {
                ApiError::invalid(
                    "profile",
                    &FieldRule::unknown_choice(
                        "profile",
                        ProblemCode::Required,
                        &ProfileState::ALL,
                        ProfileState::code,
                    ),
                )
            })
        })
        .transpose()?;
    let valid_until = request
        .valid_until
        .as_deref()
        .map(|raw| {
            chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .ok()
                // A certificate's validity, not any date chrono reads: years far out
                // (or before the common era) are typing mistakes, and no database
                // column holds them all.
                .filter(|date| (2000..=2100).contains(&chrono::Datelike::year(date)))
                .ok_or_else(|| ApiError::invalid("valid_until", &FieldRule::ValidUntilFormat))
        })
        .transpose()?;
    let step = request
        .step
        .as_deref()
        .map(|code| {
            RequesterStep::from_code(code).ok_or_else(|| {
                ApiError::invalid(
                    "step",
                    &FieldRule::unknown_choice(
                        "step",
                        ProblemCode::Required,
                        &RequesterStep::ALL,
                        RequesterStep::code,
                    ),
                )
            })
        })
        .transpose()?;
    Ok(Action {
        kind,
        reason: request.reason,
        assignee_nip,
        authority: AuthorityReport {
            certificate_status,
            profile,
            valid_until,
            enrolment_locked: request.enrolment_locked,
            note: request.note,
        },
        step,
    })
}
