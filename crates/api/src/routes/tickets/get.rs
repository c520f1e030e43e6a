//! `GET /api/v1/tickets/{number}`.

use actix_web::{HttpRequest, HttpResponse, web};
use certdesk_store::{AttachmentRecord, TicketRecord};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use actix_web::http::header;
use certdesk_domain::audit::LookKind;
use certdesk_domain::lifecycle::{
    ProfileState, RequesterStep, nik_view_is_audited, sees_internal, sees_nik_unmasked,
};
use certdesk_domain::mask_nik;
use certdesk_domain::service::ChangeableField;
use certdesk_domain::service_level::{
    ClockKind, Pause, Phase, ServiceLevels, Standing, TicketClocks,
};

use super::{etag, ticket_path, visible_ticket};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json_line::JsonLine;
use crate::looks::look;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketResponse {
    pub number: String,
    #[schema(value_type = certdesk_domain::Service)]
    pub service: &'static str,
    #[schema(value_type = Option<certdesk_domain::ChangeKind>)]
    pub subtype: Option<&'static str>,
    #[schema(value_type = Option<certdesk_domain::RevocationReason>)]
    pub reason: Option<&'static str>,
    pub reason_detail: Option<String>,
    pub status: certdesk_domain::lifecycle::Status,
    /// The RA queue the ticket was routed to.
    pub queue: String,
    /// The RA agent working on it, once claimed or assigned.
    pub assignee_nip: Option<String>,
    /// Changes with every update; also sent as the `ETag` header.
    pub version: i32,
    pub requester: RequesterResponse,
    pub responsible_officer_nip: String,
    pub description: String,
    pub changes: Vec<ChangeResponse>,
    /// The status the requester saw at the certificate authority when filing, as they
    /// wrote it; what the RA agent found there is `authority_status`.
    #[schema(value_type = Option<certdesk_domain::CertificateStatus>)]
    pub certificate_status: Option<&'static str>,
    /// What the RA agent last recorded at the certificate authority; `null` until then.
    pub authority_status: Option<AuthorityStatusResponse>,
    /// The authority's link the requester must act on, while the desk waits for them.
    pub authority_link: Option<AuthorityLinkResponse>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentResponse>,
    /// What intake warned about when the ticket was filed (the same `warnings` the
    /// filing's 201 answered), for the agent to check.
    pub intake_warnings: Vec<certdesk_domain::Problem>,
    /// Its service-level clocks, counted in the desk's working time: for RA staff, empty
    /// for anyone else.
    pub service_levels: Vec<ClockResponse>,
}

/// One service-level clock as it stands now. Times are working time, in minutes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockResponse {
    pub clock: ClockKind,
    pub standing: Standing,
    /// The working time it may take; fixed when the clock started.
    pub target_minutes: i64,
    /// The working time it has used.
    pub used_minutes: i64,
    /// When it falls due, while it runs.
    pub due_at: Option<DateTime<Utc>>,
    /// When it is (or was) at risk, while it runs.
    pub at_risk_at: Option<DateTime<Utc>>,
    /// Why it waits, while it is paused.
    pub paused: Option<Pause>,
    /// When it stopped: met, breached, or its ticket ended.
    pub stopped_at: Option<DateTime<Utc>>,
    /// When it went past its target, once it has.
    pub breached_at: Option<DateTime<Utc>>,
}

impl ClockResponse {
    pub(crate) fn all(
        levels: &ServiceLevels,
        clocks: &TicketClocks,
        now: DateTime<Utc>,
    ) -> Vec<Self> {
        clocks
            .iter()
            .map(|clock| {
                let standing = levels.standing(clock, now);
                Self {
                    clock: clock.kind,
                    standing,
                    target_minutes: clock.target.num_minutes(),
                    used_minutes: levels.used(clock, now).num_minutes(),
                    due_at: levels.due(clock),
                    at_risk_at: levels.at_risk_from(clock),
                    paused: match clock.phase {
                        Phase::Paused { why, .. } => Some(why),
                        _ => None,
                    },
                    stopped_at: match clock.phase {
                        Phase::Stopped { at } => Some(at),
                        _ => None,
                    },
                    breached_at: clock
                        .breached_at
                        .or_else(|| levels.due(clock).filter(|_| standing == Standing::Breached)),
                }
            })
            .collect()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorityStatusResponse {
    #[schema(value_type = certdesk_domain::CertificateStatus)]
    pub certificate_status: &'static str,
    pub profile: Option<ProfileState>,
    /// The certificate's last valid day, as the portal shows it.
    pub valid_until: Option<NaiveDate>,
    pub enrolment_locked: Option<bool>,
    /// What the agent did at the authority.
    pub note: Option<String>,
    /// The agent who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorityLinkResponse {
    pub step: RequesterStep,
    pub sent_at: DateTime<Utc>,
    /// After this the link no longer works and the agent must have a new one sent.
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequesterResponse {
    pub nip: String,
    /// The digits for the requester themself and for RA staff (audited); masked
    /// (`3174********0001`) for officers and integrators.
    pub nik: Option<String>,
    pub name: String,
    pub email: String,
    pub unit: String,
    pub position: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeResponse {
    #[schema(value_type = certdesk_domain::service::ChangeableField)]
    pub field: &'static str,
    pub new_value: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentResponse {
    #[schema(value_type = certdesk_domain::AttachmentKind)]
    pub kind: &'static str,
    /// As detected from the file's bytes.
    #[schema(value_type = String, example = "image/png")]
    pub content_type: &'static str,
    pub byte_size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// SHA-256 of the file as stored, to check a download; `null` once purged.
    pub sha256: Option<String>,
    /// When the file was deleted under the retention rules (`retention.*`); its
    /// description stays, and downloading it answers 410 `attachment_purged`.
    pub purged_at: Option<chrono::DateTime<chrono::Utc>>,
    pub href: String,
}

/// Read a ticket.
///
/// With its attachments' metadata and its version (also the `ETag`). The NIK is shown in
/// full to its owner and to RA staff (each such view recorded in the audit), masked to
/// anyone else.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{number}",
    tag = "tickets",
    operation_id = "get_ticket",
    params(("number" = String, Path, description = "The ticket number: `S` and 11 digits.", example = "S00000035887")),
    responses(
        (status = 200, description = "The ticket.", body = TicketResponse,
            headers(("ETag" = String, description = "The ticket's version, for `If-Match`."))),
        (status = 404, response = crate::responses::TicketNotFound),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible_ticket(&state, &caller, &path).await?;
    ticket_response(&state, &request, &caller, ticket).await
}

/// The ticket as `caller` may see it, with its ETag.
pub(crate) async fn ticket_response(
    state: &AppState,
    request: &HttpRequest,
    caller: &Caller,
    ticket: TicketRecord,
) -> Result<HttpResponse, ApiError> {
    let version = ticket.version;
    let view = ticket_view(state, request, caller, ticket).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json_line(view))
}

/// The ticket as `caller` may see it. A NIK shown in full to anyone but its owner is
/// recorded in the audit before the answer leaves.
pub(crate) async fn ticket_view(
    state: &AppState,
    request: &HttpRequest,
    caller: &Caller,
    ticket: TicketRecord,
) -> Result<TicketResponse, ApiError> {
    let facts = ticket.facts();
    let unmasked = caller
        .person()
        .is_some_and(|actor| sees_nik_unmasked(actor, &facts));
    let audited = caller
        .person()
        .is_some_and(|actor| nik_view_is_audited(actor, &facts));
    if audited && ticket.requester_nik.is_some() {
        let look = look(
            request,
            caller,
            LookKind::NikShown,
            Some(ticket.number),
            None,
        );
        state.store.record_look(&look, chrono::Utc::now()).await?;
    }
    let staff = caller.person().is_some_and(sees_internal);
    let clocks = staff.then(|| ticket.clocks.clone());
    let mut view = TicketResponse::new(ticket, unmasked);
    if let Some(clocks) = clocks {
        view.service_levels = ClockResponse::all(&state.service_levels, &clocks, Utc::now());
    }
    Ok(view)
}

impl TicketResponse {
    pub(crate) fn new(t: TicketRecord, nik_unmasked: bool) -> Self {
        let base = ticket_path(t.number);
        Self {
            number: t.number.to_string(),
            service: t.service.code(),
            subtype: t.subtype.map(|k| k.code()),
            reason: t.reason.map(|r| r.code()),
            reason_detail: t.reason_detail,
            status: t.status,
            queue: t.queue.as_str().to_owned(),
            assignee_nip: t.assignee_nip.map(|n| n.as_str().to_owned()),
            version: t.version,
            requester: RequesterResponse {
                nip: t.requester_nip.as_str().to_owned(),
                nik: t
                    .requester_nik
                    .map(|nik| {
                        if nik_unmasked {
                            nik.expose().to_owned()
                        } else {
                            nik.masked()
                        }
                    })
                    // Erased after its retention period: the masked form stays.
                    .or(t.requester_nik_masked),
                name: t.requester_name,
                email: t.requester_email,
                unit: t.requester_unit,
                position: t.requester_position,
            },
            responsible_officer_nip: t.responsible_officer_nip.as_str().to_owned(),
            description: t.description,
            changes: t
                .changes
                .into_iter()
                .map(|c| ChangeResponse {
                    field: c.field.code(),
                    // A corrected NIK is shown as the ticket's own NIK is.
                    new_value: if c.field == ChangeableField::Nik && !nik_unmasked {
                        mask_nik(&c.new_value)
                    } else {
                        c.new_value
                    },
                })
                .collect(),
            certificate_status: t.certificate_status.map(|s| s.label()),
            authority_status: t.authority.map(|a| AuthorityStatusResponse {
                certificate_status: a.certificate_status.label(),
                profile: a.profile,
                valid_until: a.valid_until,
                enrolment_locked: a.enrolment_locked,
                note: a.note,
                recorded_by: a.recorded_by.as_str().to_owned(),
                recorded_at: a.recorded_at,
            }),
            authority_link: t.link.map(|l| AuthorityLinkResponse {
                step: l.step,
                sent_at: l.sent_at,
                expires_at: l.expires_at,
                expired: l.has_expired(Utc::now()),
            }),
            created_at: t.created_at,
            updated_at: t.updated_at,
            attachments: t
                .attachments
                .into_iter()
                .map(|a| attachment_response(&base, a))
                .collect(),
            intake_warnings: t.intake_warnings,
            service_levels: Vec::new(),
        }
    }
}

fn attachment_response(base: &str, a: AttachmentRecord) -> AttachmentResponse {
    AttachmentResponse {
        kind: a.kind.code(),
        content_type: a.file_type.content_type(),
        byte_size: a.byte_size,
        width: a.pixels.map(|(w, _)| w),
        height: a.pixels.map(|(_, h)| h),
        sha256: a.sha256.map(|d| d.as_str().to_owned()),
        purged_at: a.purged_at,
        href: format!("{base}/attachments/{}", a.kind.code()),
    }
}
