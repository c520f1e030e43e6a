//! [`decide`]: the table plus its guards (who may act, reasons, the reopen window), and
//! what follows from an accepted action: the new state, the assignee, and the event that
//! tells the people it concerns.

use chrono::{DateTime, Utc};

use crate::event::{Event, Notice};
use crate::identity::Nip;
use crate::identity::mask_nik_like;
use crate::problem::{Message, ProblemCode, Rule};
use crate::text::{FreeText, MAX_DESCRIPTION_CHARS};

use super::authority::{
    AuthorityFinding, AuthorityLink, AuthorityReport, MAX_AUTHORITY_NOTE_CHARS,
};
use super::rules::LifecycleRules;
use super::{Action, ActionKind, Actor, Capacity, Recipient, Status, TicketFacts, WhoMay, target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub action: ActionKind,
    /// The capacity the actor acted in, as the history records it.
    pub capacity: Capacity,
    pub assignee_nip: Option<Nip>,
    pub reason: Option<FreeText>,
    /// What the agent found at the certificate authority, when they recorded it.
    pub finding: Option<AuthorityFinding>,
    /// The authority's link the requester now has to act on (`send_authority_link`).
    pub link: Option<AuthorityLink>,
    /// What the people it concerns are told: one notice each.
    pub notices: Vec<Notice>,
}

/// Why an action was refused. Each maps to one HTTP status in the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The table does not allow this action in this state (409).
    NotAllowedInState { status: Status, action: ActionKind },
    /// The actor does not act in the needed capacity on this ticket (403).
    NotPermitted { action: ActionKind, who_may: WhoMay },
    /// Another agent holds the ticket: their claim landed first (409).
    AlreadyClaimed,
    /// A field the action needs is missing or breaks a rule (422).
    Invalid {
        field: &'static str,
        code: ProblemCode,
        message: Message,
    },
    /// Reopening after the window closed (409).
    ReopenWindowPassed,
    /// An agent would work on a ticket they filed themself (403).
    OwnTicket,
    /// Internal comments are RA staff's; public ones are the ticket's people's (403).
    CommentNotPermitted,
}

/// Applies the table and its guards.
pub fn decide(
    ticket: &TicketFacts,
    actor: &Actor,
    action: &Action,
    now: DateTime<Utc>,
    rules: &LifecycleRules,
) -> Result<Transition, Refusal> {
    let kind = action.kind;
    let who_may = kind.who_may();
    // Who may act comes first: someone without the right learns nothing of the state.
    if !actor.is(who_may, ticket) {
        return Err(Refusal::NotPermitted {
            action: kind,
            who_may,
        });
    }
    // Nobody handles their own request: an agent who filed a ticket cannot claim it, and
    // a supervisor cannot hand it to them.
    let would_handle_own = match kind {
        ActionKind::Claim => actor.nip == ticket.requester_nip,
        ActionKind::Assign => action.assignee_nip.as_ref() == Some(&ticket.requester_nip),
        _ => false,
    };
    if would_handle_own {
        return Err(Refusal::OwnTicket);
    }
    let Some(to) = target(ticket.status, kind) else {
        // A claim that finds the ticket in another agent's hands lost the race for it.
        let claimed_by_other = kind == ActionKind::Claim
            && ticket
                .assignee_nip
                .as_ref()
                .is_some_and(|holder| *holder != actor.nip);
        return Err(if claimed_by_other {
            Refusal::AlreadyClaimed
        } else {
            Refusal::NotAllowedInState {
                status: ticket.status,
                action: kind,
            }
        });
    };

    let reason =
        match action
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(text) => Some(FreeText::parse(text, MAX_DESCRIPTION_CHARS).map_err(|e| {
                Refusal::Invalid {
                    field: "reason",
                    code: e.code(),
                    message: e.message(),
                }
            })?),
            None => None,
        };
    let finding = finding_of(kind, &action.authority)?;
    let link = match kind {
        ActionKind::SendAuthorityLink => {
            let step = action.step.ok_or(Refusal::Invalid {
                field: "step",
                code: ProblemCode::Required,
                message: Message::new(
                    "Sebutkan langkah yang harus dilakukan pemohon (`step`): complete_profile atau set_passphrase.",
                    "Name what the requester must do (`step`): complete_profile or set_passphrase.",
                ),
            })?;
            Some(AuthorityLink {
                step,
                sent_at: now,
                expires_at: now + rules.link_validity,
            })
        }
        _ if action.step.is_some() => return Err(not_for_action("step", kind)),
        _ => None,
    };
    let event = event_of(kind, reason.as_ref(), finding.as_ref(), link.as_ref())?;
    // A resolved ticket without a resolution time cannot prove it is inside the window.
    if kind == ActionKind::Reopen
        && ticket
            .resolved_at
            .is_none_or(|resolved| now - resolved > rules.reopen_window)
    {
        return Err(Refusal::ReopenWindowPassed);
    }
    let assignee_nip = match kind {
        ActionKind::Claim => Some(actor.nip.clone()),
        ActionKind::Assign => Some(action.assignee_nip.clone().ok_or(Refusal::Invalid {
            field: "assignee_nip",
            code: ProblemCode::Required,
            message: Message::new(
                "Sebutkan NIP petugas yang ditugaskan (`assignee_nip`).",
                "Name the agent to assign (`assignee_nip`).",
            ),
        })?),
        _ => ticket.assignee_nip.clone(),
    };
    // The assignee told is the one the ticket has after the action.
    let after = TicketFacts {
        status: to,
        assignee_nip: assignee_nip.clone(),
        ..ticket.clone()
    };
    let notices = notify(kind, ticket.status, to)
        .into_iter()
        .map(|recipient| Notice::to(recipient, &after, event.clone()))
        .collect();
    Ok(Transition {
        from: ticket.status,
        to,
        action: kind,
        capacity: Capacity::acting(kind, actor, ticket),
        assignee_nip,
        reason,
        finding,
        link,
        notices,
    })
}

/// What an action says about the authority, checked: a status is required where the
/// action is about the authority, allowed where it may be, and refused elsewhere, so that
/// nothing an agent writes is silently dropped.
fn finding_of(
    kind: ActionKind,
    report: &AuthorityReport,
) -> Result<Option<AuthorityFinding>, Refusal> {
    let required = match kind {
        ActionKind::WaitOnAuthority | ActionKind::RecordAuthorityStatus => true,
        ActionKind::Resolve | ActionKind::SendAuthorityLink => false,
        _ if report.is_empty() => return Ok(None),
        _ => {
            let field = if report.certificate_status.is_some() {
                "certificate_status"
            } else {
                "authority"
            };
            return Err(not_for_action(field, kind));
        }
    };
    let Some(certificate_status) = report.certificate_status else {
        if !required && report.is_empty() {
            return Ok(None);
        }
        return Err(Refusal::Invalid {
            field: "certificate_status",
            code: ProblemCode::Required,
            message: Message::new(
                "Catat status sertifikat yang ditemukan di penerbit (`certificate_status`).",
                "Record the certificate status found at the authority (`certificate_status`).",
            ),
        });
    };
    // The note goes into the history, which is kept for good and read by the requester
    // and the officer: a NIK typed into it is kept masked, like everywhere it may be read.
    let note = match report
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(mask_nik_like)
    {
        Some(text) => Some(
            FreeText::parse(&text, MAX_AUTHORITY_NOTE_CHARS).map_err(|e| Refusal::Invalid {
                field: "note",
                code: e.code(),
                message: e.message(),
            })?,
        ),
        None => None,
    };
    Ok(Some(AuthorityFinding {
        certificate_status,
        profile: report.profile,
        valid_until: report.valid_until,
        enrolment_locked: report.enrolment_locked,
        note,
    }))
}

fn not_for_action(field: &'static str, kind: ActionKind) -> Refusal {
    Refusal::Invalid {
        field,
        code: ProblemCode::NotForAction,
        message: Message::new(
            format!("Tindakan `{}` tidak menerima `{field}`.", kind.code()),
            format!("The action `{}` does not take `{field}`.", kind.code()),
        ),
    }
}

/// The event an accepted action writes. Where the people told need to know why, the
/// reason is required here.
fn event_of(
    kind: ActionKind,
    reason: Option<&FreeText>,
    finding: Option<&AuthorityFinding>,
    link: Option<&AuthorityLink>,
) -> Result<Event, Refusal> {
    let certificate_status = finding.map(|f| f.certificate_status);
    let given = || reason.map(|r| r.as_str().to_owned());
    let required = || {
        given().ok_or_else(|| Refusal::Invalid {
            field: "reason",
            code: ProblemCode::Required,
            message: Message::new(
                format!("Tindakan `{}` memerlukan alasan (`reason`).", kind.code()),
                format!("The action `{}` needs a `reason`.", kind.code()),
            ),
        })
    };
    Ok(match kind {
        ActionKind::Endorse => Event::Endorsed,
        ActionKind::Decline => Event::Declined {
            reason: required()?,
        },
        ActionKind::Claim => Event::Claimed,
        ActionKind::Assign => Event::Assigned,
        ActionKind::RequestInformation => Event::InformationRequested {
            reason: required()?,
        },
        ActionKind::Reply => Event::RequesterReplied { reason: given() },
        ActionKind::WaitOnAuthority => Event::WaitingOnAuthority { certificate_status },
        ActionKind::RecordAuthorityStatus => Event::AuthorityStatusRecorded { certificate_status },
        ActionKind::SendAuthorityLink => {
            let link = link.ok_or(Refusal::Invalid {
                field: "step",
                code: ProblemCode::Required,
                message: Message::new(
                    "Langkah pemohon diperlukan.",
                    "The requester's step is needed.",
                ),
            })?;
            Event::AuthorityLinkSent {
                step: link.step,
                expires_at: link.expires_at,
            }
        }
        ActionKind::ResumeReview => Event::ReviewResumed,
        ActionKind::Resolve => Event::Resolved { reason: given() },
        ActionKind::Reject => Event::Rejected {
            reason: required()?,
        },
        ActionKind::Cancel => Event::Cancelled { reason: given() },
        ActionKind::Reopen => Event::Reopened {
            reason: required()?,
        },
        ActionKind::Close => Event::Closed { reason: given() },
    })
}

/// Who hears that a ticket was filed: its requester, and its officer when the ticket
/// waits for their endorsement.
pub fn filing_notices(ticket: &TicketFacts) -> Vec<Notice> {
    let mut notices = vec![Notice::to(
        Recipient::Requester,
        ticket,
        Event::TicketReceived,
    )];
    if ticket.status == Status::AwaitingEndorsement {
        notices.push(Notice::to(
            Recipient::ResponsibleOfficer,
            ticket,
            Event::EndorsementNeeded,
        ));
    }
    notices
}

/// Whom a transition concerns. The requester hears of every change of their ticket's
/// state; the officer of what needs or followed their endorsement; an assigned agent of
/// being given work.
fn notify(action: ActionKind, from: Status, to: Status) -> Vec<Recipient> {
    match action {
        // Assigning a waiting ticket also puts it into review: the requester hears of it.
        ActionKind::Assign if from != to => vec![Recipient::Assignee, Recipient::Requester],
        ActionKind::Assign => vec![Recipient::Assignee],
        ActionKind::Endorse | ActionKind::Decline => vec![Recipient::Requester],
        // The officer vouched for it; they hear that it was withdrawn.
        ActionKind::Cancel => vec![Recipient::Requester, Recipient::ResponsibleOfficer],
        ActionKind::Reply => vec![Recipient::Assignee],
        // A finding is for the desk's record; only one that ends the wait for the
        // requester changes what they see.
        ActionKind::RecordAuthorityStatus if from == to => vec![],
        ActionKind::Claim
        | ActionKind::RequestInformation
        | ActionKind::WaitOnAuthority
        | ActionKind::RecordAuthorityStatus
        | ActionKind::SendAuthorityLink
        | ActionKind::ResumeReview
        | ActionKind::Resolve
        | ActionKind::Reject
        | ActionKind::Reopen
        | ActionKind::Close => vec![Recipient::Requester],
    }
}

#[cfg(test)]
pub(super) fn event_for_test(kind: ActionKind) -> Event {
    use super::authority::RequesterStep;
    use crate::service::CertificateStatus;
    let reason = FreeText::parse("Alasan uji", MAX_DESCRIPTION_CHARS).ok();
    let finding = AuthorityFinding {
        certificate_status: CertificateStatus::Issue,
        profile: None,
        valid_until: None,
        enrolment_locked: None,
        note: None,
    };
    let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let link = AuthorityLink {
        step: RequesterStep::SetPassphrase,
        sent_at: at,
        expires_at: at + chrono::Duration::hours(24),
    };
    event_of(kind, reason.as_ref(), Some(&finding), Some(&link))
        .expect("every action's event, given a reason")
}

#[cfg(test)]
pub(super) fn event_without_reason(kind: ActionKind) -> Result<Event, Refusal> {
    use super::authority::RequesterStep;
    let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let link = AuthorityLink {
        step: RequesterStep::SetPassphrase,
        sent_at: at,
        expires_at: at,
    };
    event_of(kind, None, None, Some(&link))
}
