//! `POST /api/v1/tickets/{number}/actions`: move a ticket through its life. The domain
//! decides; this handler checks `If-Match`, maps refusals to statuses, and stores.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_domain::lifecycle::{Action, ActionKind, Capacity, Refusal, decide};
use certdesk_domain::{CertificateStatus, Message, Nip, Problem, ProblemCode};
use chrono::Utc;
use serde::Deserialize;

use super::get::ticket_response;
use super::{facts, if_match, visible_ticket};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({ "action": "request_information", "reason": "Pindaian KTP buram; unggah ulang." }))]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[schema(value_type = certdesk_domain::lifecycle::ActionKind)]
    pub action: String,
    /// Required for `decline`, `reject`, `request_information` and `reopen`; shown to the
    /// requester.
    pub reason: Option<String>,
    /// For `assign`: the agent's NIP.
    pub assignee_nip: Option<String>,
    /// For `wait_on_authority` and `resolve`: the certificate's status at the authority.
    #[schema(value_type = Option<certdesk_domain::CertificateStatus>)]
    pub certificate_status: Option<String>,
}

/// Act on a ticket.
///
/// Moves the ticket through its life. Who may take which action in which state is the
/// domain's rule table (see the README); a refusal names the rule. Needs `If-Match`.
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
        (status = 403, response = crate::openapi::NotPermitted),
        (status = 404, response = crate::openapi::TicketNotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::StaleVersion),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 428, response = crate::openapi::IfMatchRequired),
    )
)]
pub async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Json<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible_ticket(&state, &caller, &path).await?;
    let Some(actor) = caller.person() else {
        return Err(ApiError::Forbidden {
            code: ErrorCode::IntegratorsCannotAct,
            message: Message::new(
                "Token integrasi tidak dapat mengubah status tiket; tindakan dilakukan oleh orang.",
                "An integration token cannot act on tickets; actions are taken by people.",
            ),
        });
    };
    let expected = if_match(&request)?;
    let action = parse_action(body.into_inner())?;
    let facts = facts(&ticket)?;
    let now = Utc::now();
    let window = chrono::Duration::hours(state.lifecycle.reopen_window_hours as i64);
    // The rules first: who may act, and whether the ticket's state allows it, are
    // answered the same whatever version the caller saw.
    let claimed_by_other = ticket
        .assignee_nip
        .as_deref()
        .is_some_and(|a| a != actor.nip);
    let transition = match decide(&facts, actor, &action, now, window) {
        Ok(transition) => transition,
        // Another agent's claim landed first: a lost race for the ticket.
        Err(Refusal::NotAllowedInState { .. })
            if action.kind == ActionKind::Claim && claimed_by_other =>
        {
            return Err(refusal(Refusal::AlreadyClaimed));
        }
        Err(other) => return Err(refusal(other)),
    };
    if expected != ticket.version {
        return Err(ApiError::PreconditionFailed {
            current: ticket.version,
        });
    }
    let capacity = match action.kind.capacity() {
        Capacity::Requester => "requester",
        Capacity::ResponsibleOfficer => "officer",
        Capacity::AnyAgent | Capacity::AssignedAgent => "agent",
        Capacity::Supervisor => "supervisor",
        Capacity::RequesterOrAssignedAgent if actor.nip == facts.requester_nip => "requester",
        Capacity::RequesterOrAssignedAgent => "agent",
    };
    let result = state
        .store
        .apply_transition(
            ticket.number,
            expected,
            &transition,
            &caller.history_actor(capacity),
            now,
        )
        .await;
    match result {
        Ok(updated) => ticket_response(&caller, updated),
        // Two agents claimed at once and the other one's update landed first.
        Err(certdesk_store::StoreError::Stale { current }) if action.kind == ActionKind::Claim => {
            let now_assigned = state
                .store
                .ticket(ticket.number)
                .await?
                .and_then(|t| t.assignee_nip);
            match now_assigned {
                Some(other) if other != actor.nip => Err(refusal(Refusal::AlreadyClaimed)),
                _ => Err(ApiError::PreconditionFailed { current }),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn invalid(field: &str, code: ProblemCode, message: Message) -> ApiError {
    ApiError::Validation {
        problems: vec![Problem::new(field, code, message)],
        warnings: Vec::new(),
    }
}

fn parse_action(request: ActionRequest) -> Result<Action, ApiError> {
    let kind = ActionKind::from_code(&request.action).ok_or_else(|| {
        let codes: Vec<&str> = ActionKind::ALL.iter().map(|a| a.code()).collect();
        invalid(
            "action",
            ProblemCode::Required,
            Message::new(
                format!(
                    "Tindakan tidak dikenal. Pilih salah satu: {}.",
                    codes.join(", ")
                ),
                format!("Unknown action. Choose one of: {}.", codes.join(", ")),
            ),
        )
    })?;
    let certificate_status = match request.certificate_status.as_deref() {
        Some(label) => Some(CertificateStatus::from_label(label).ok_or_else(|| {
            invalid(
                "certificate_status",
                ProblemCode::CertificateStatusUnknown,
                Message::new(
                    "Status sertifikat tidak dikenal: New, On Set Passphrase, Enroll, Issue, Revoke, Expired.",
                    "Unknown certificate status: New, On Set Passphrase, Enroll, Issue, Revoke, Expired.",
                ),
            )
        })?),
        None => None,
    };
    let assignee_nip = match request.assignee_nip.as_deref() {
        Some(raw) => Some(
            Nip::parse(raw)
                .map_err(|e| {
                    let p = Problem::at("assignee_nip", &e);
                    invalid(&p.field, p.code, p.message)
                })?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(Action {
        kind,
        reason: request.reason,
        assignee_nip,
        certificate_status,
    })
}

/// The one place a refusal of the rules becomes an HTTP answer.
pub(crate) fn refusal(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::NotAllowedInState { status, action } => ApiError::Conflict {
            code: ErrorCode::ActionNotAllowed,
            message: Message::new(
                format!(
                    "Tindakan `{}` tidak dapat dilakukan saat tiket berstatus `{}`.",
                    action.code(),
                    status.code()
                ),
                format!(
                    "The action `{}` is not possible while the ticket is `{}`.",
                    action.code(),
                    status.code()
                ),
            ),
        },
        Refusal::NotPermitted { action, capacity } => {
            let who = match capacity {
                Capacity::Requester => ("pemohon tiket", "the ticket's requester"),
                Capacity::ResponsibleOfficer => {
                    ("penanggung jawab tiket", "the ticket's responsible officer")
                }
                Capacity::AnyAgent => ("petugas RA", "an RA agent"),
                Capacity::AssignedAgent => (
                    "petugas RA yang menangani tiket",
                    "the RA agent assigned to the ticket",
                ),
                Capacity::Supervisor => ("supervisor", "a supervisor"),
                Capacity::RequesterOrAssignedAgent => (
                    "pemohon atau petugas yang menangani tiket",
                    "the requester or the assigned agent",
                ),
            };
            ApiError::Forbidden {
                code: ErrorCode::NotPermitted,
                message: Message::new(
                    format!(
                        "Tindakan `{}` hanya dapat dilakukan oleh {}.",
                        action.code(),
                        who.0
                    ),
                    format!("Only {} may take the action `{}`.", who.1, action.code()),
                ),
            }
        }
        Refusal::AlreadyClaimed => ApiError::Conflict {
            code: ErrorCode::AlreadyClaimed,
            message: Message::new(
                "Tiket sudah diambil petugas lain.",
                "Another agent has already claimed this ticket.",
            ),
        },
        Refusal::Invalid {
            field,
            code,
            message,
        } => invalid(field, code, message),
        Refusal::OwnTicket => ApiError::Forbidden {
            code: ErrorCode::OwnTicket,
            message: Message::new(
                "Petugas tidak dapat menangani tiket yang diajukannya sendiri.",
                "An agent cannot handle a ticket they filed themself.",
            ),
        },
        Refusal::ReopenWindowPassed => ApiError::Conflict {
            code: ErrorCode::ReopenWindowPassed,
            message: Message::new(
                "Batas waktu membuka kembali tiket sudah lewat; ajukan tiket baru.",
                "The time to reopen this ticket has passed; file a new ticket.",
            ),
        },
    }
}
