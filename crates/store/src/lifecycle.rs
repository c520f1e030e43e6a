//! Changes to a ticket after intake. Each is a conditional update on the ticket's
//! `version` (optimistic concurrency: the caller says which version it saw), in one
//! transaction with its history entry and its outbox events.

use certdesk_domain::lifecycle::{
    AuthorityFinding, CommentDecision, HistoryKind, Status, Transition, Visibility,
};
use certdesk_domain::retention::ends_ticket;
use certdesk_domain::service_level::ServiceLevels;
use certdesk_domain::{AttachmentKind, ChangeKind, Service, TicketNumber};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, UpdateMany};

use crate::audit::{NewLook, write_look};
use crate::clocks::{Measured, desk_acts, follow};
use crate::decode::{decode, decode_opt};
use crate::entities::{stored_files, ticket_attachments, tickets};
use crate::error::is_unique_violation;
use crate::files::mark_purged;
use crate::history::{HistoryEntry, write_history};
use crate::outbox::enqueue;
use crate::records::{HistoryActor, NewAttachment, TicketRecord};
use crate::tickets::open_slot;
use crate::{Store, StoreError};

impl Store {
    /// Applies a decided transition if the ticket is still at `expected_version`: the
    /// conditional update, its history entry and its notices, in one transaction.
    #[tracing::instrument(skip_all, fields(ticket = %number, action = transition.action.code()))]
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_transition(
        &self,
        number: TicketNumber,
        expected_version: i32,
        transition: &Transition,
        actor: &HistoryActor,
        levels: &ServiceLevels,
        now: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        let (slot, measured) = self.slot_after(number, transition).await?;
        let txn = self.begin_write().await?;
        let update = transition_update(number, expected_version, transition, actor, &slot, now);
        match update.exec(&txn).await {
            Ok(done) if done.rows_affected == 1 => {}
            Ok(_) => {
                drop(txn);
                return Err(self.why_not_updated(number).await);
            }
            // A reopen raced a new ticket for the same slot: the new one holds it.
            Err(e) if is_unique_violation(&e) => {
                drop(txn);
                return Err(self.slot_taken(&slot.key, e).await);
            }
            Err(e) => return Err(e.into()),
        }
        write_history(
            &txn,
            number.sequence(),
            actor,
            transition_entry(transition),
            now,
        )
        .await?;
        for notice in &transition.notices {
            enqueue(&txn, number.sequence(), notice, now).await?;
        }
        follow(&txn, levels, &measured, desk_acts(actor), actor, now).await?;
        txn.commit().await?;
        self.ticket(number).await?.ok_or(StoreError::TicketNotFound)
    }

    /// The requester's slot (one open ticket per service and sub-type) after the
    /// transition: held while the ticket is open, released when it ends or is resolved,
    /// taken again on reopening, which fails if a newer ticket took it meanwhile.
    /// Also what the ticket is to its clocks after the transition (its service and
    /// sub-type never change).
    async fn slot_after(
        &self,
        number: TicketNumber,
        transition: &Transition,
    ) -> Result<(Slot, Measured), StoreError> {
        let current = tickets::Entity::find_by_id(number.sequence())
            .one(&self.db)
            .await?
            .ok_or(StoreError::TicketNotFound)?;
        let service = decode("service", &current.service, Service::from_code)?;
        let subtype = decode_opt(
            "sub-type",
            current.subtype.as_deref(),
            ChangeKind::from_code,
        )?;
        let measured = Measured::of(current.id, service, subtype, transition.to)?;
        let key = open_slot(&current.requester_nip, service, subtype);
        let held = transition.to.is_open();
        if held
            && !transition.from.is_open()
            && let Some(holder) = self.ticket_holding(&key).await?
        {
            return Err(StoreError::OpenTicketExists(holder));
        }
        Ok((Slot { key, held }, measured))
    }

    /// A comment, as the domain decided it: its visibility, its author's capacity, and
    /// the notices to the people it concerns, in one transaction. A public comment by RA
    /// staff is the desk's act: it may be the first response.
    pub async fn add_comment(
        &self,
        number: TicketNumber,
        actor: &HistoryActor,
        comment: &CommentDecision,
        levels: &ServiceLevels,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        write_history(
            &txn,
            number.sequence(),
            actor,
            HistoryEntry {
                kind: HistoryKind::Comment,
                from: None,
                to: None,
                reason: None,
                visibility: comment.visibility,
                detail: Some(serde_json::json!({ "body": comment.text.as_str() })),
            },
            now,
        )
        .await?;
        for notice in &comment.notices {
            enqueue(&txn, number.sequence(), notice, now).await?;
        }
        if desk_acts(actor) && comment.visibility == Visibility::Public {
            let ticket = tickets::Entity::find_by_id(number.sequence())
                .one(&txn)
                .await?
                .ok_or(StoreError::TicketNotFound)?;
            let measured = Measured::of(
                ticket.id,
                decode("service", &ticket.service, Service::from_code)?,
                decode_opt("sub-type", ticket.subtype.as_deref(), ChangeKind::from_code)?,
                decode("status", &ticket.status, Status::from_code)?,
            )?;
            follow(&txn, levels, &measured, true, actor, now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Records that someone downloaded an attachment: scans of ID cards and signatures
    /// are personal data, and who looked at them is part of the record.
    /// Records a download in the ticket's history and in the audit, together.
    pub async fn record_download(
        &self,
        number: TicketNumber,
        kind: AttachmentKind,
        look: &NewLook,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let actor = &look.actor;
        let txn = self.begin_write().await?;
        write_look(&txn, look, now).await?;
        write_history(
            &txn,
            number.sequence(),
            actor,
            HistoryEntry {
                kind: HistoryKind::Download,
                from: None,
                to: None,
                reason: None,
                visibility: Visibility::Internal,
                detail: Some(serde_json::json!({ "attachment": kind.code() })),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Replaces one attachment (while the agent waits for the requester), if the ticket
    /// is still at `expected_version`.
    pub async fn replace_attachment(
        &self,
        number: TicketNumber,
        expected_version: i32,
        attachment: NewAttachment,
        actor: &HistoryActor,
        now: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        let sealed = self
            .write_sealed(vec![(
                attachment.content.clone(),
                attachment.address.clone(),
            )])
            .await?;
        let file = &sealed[0];
        let txn = self.begin_write().await?;
        let updated = tickets::Entity::update_many()
            .col_expr(
                tickets::Column::Version,
                Expr::col(tickets::Column::Version).add(1),
            )
            .col_expr(tickets::Column::UpdatedAt, Expr::value(now))
            .filter(tickets::Column::Id.eq(number.sequence()))
            .filter(tickets::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            drop(txn);
            return Err(self.why_not_updated(number).await);
        }
        stored_files::Entity::insert(file.row(&attachment.inspected, now))
            .exec_without_returning(&txn)
            .await?;
        let previous = ticket_attachments::Entity::find_by_id((
            number.sequence(),
            attachment.kind.code().to_owned(),
        ))
        .one(&txn)
        .await?
        .map(|row| row.file_id);
        ticket_attachments::Entity::insert(ticket_attachments::ActiveModel {
            ticket_id: sea_orm::ActiveValue::Set(number.sequence()),
            kind: sea_orm::ActiveValue::Set(attachment.kind.code().to_owned()),
            file_id: sea_orm::ActiveValue::Set(file.id.clone()),
            created_at: sea_orm::ActiveValue::Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                ticket_attachments::Column::TicketId,
                ticket_attachments::Column::Kind,
            ])
            .update_columns([
                ticket_attachments::Column::FileId,
                ticket_attachments::Column::CreatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        write_history(
            &txn,
            number.sequence(),
            actor,
            HistoryEntry {
                kind: HistoryKind::AttachmentReplaced,
                from: None,
                to: None,
                reason: None,
                visibility: Visibility::Public,
                detail: Some(serde_json::json!({
                    "attachment": attachment.kind.code(),
                    // No digest: the history is append-only and must not hold a
                    // fingerprint of a scan.
                })),
            },
            now,
        )
        .await?;
        // The replaced scan is no longer the ticket's and serves no purpose: it is
        // purged with the replacement (its description stays, marked purged).
        if let Some(previous) = &previous {
            mark_purged(&txn, previous, now).await?;
        }
        txn.commit().await?;
        if let Some(previous) = &previous {
            self.delete_file(previous).await;
        }
        self.ticket(number).await?.ok_or(StoreError::TicketNotFound)
    }

    /// After a conditional update touched nothing: the ticket is gone, or has moved on.
    async fn why_not_updated(&self, number: TicketNumber) -> StoreError {
        match tickets::Entity::find_by_id(number.sequence())
            .one(&self.db)
            .await
        {
            Ok(Some(ticket)) => StoreError::Stale {
                current: ticket.version,
            },
            Ok(None) => StoreError::TicketNotFound,
            Err(e) => e.into(),
        }
    }
}

/// A requester's slot, and whether the ticket holds it after a change.
struct Slot {
    key: String,
    held: bool,
}

/// The conditional update a transition makes: the state, the assignee, the version, the
/// slot, the times the state implies, what the agent found at the authority and the
/// authority's link, only while the ticket is still at `expected_version`.
fn transition_update(
    number: TicketNumber,
    expected_version: i32,
    transition: &Transition,
    actor: &HistoryActor,
    slot: &Slot,
    now: DateTime<Utc>,
) -> UpdateMany<tickets::Entity> {
    let mut update = tickets::Entity::update_many()
        .col_expr(tickets::Column::Status, Expr::value(transition.to.code()))
        .col_expr(
            tickets::Column::AssigneeNip,
            Expr::value(
                transition
                    .assignee_nip
                    .as_ref()
                    .map(|n| n.as_str().to_owned()),
            ),
        )
        .col_expr(
            tickets::Column::Version,
            Expr::col(tickets::Column::Version).add(1),
        )
        .col_expr(tickets::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            tickets::Column::OpenSlot,
            Expr::value(slot.held.then(|| slot.key.clone())),
        )
        .filter(tickets::Column::Id.eq(number.sequence()))
        .filter(tickets::Column::Version.eq(expected_version));
    if transition.to == Status::Resolved {
        update = update.col_expr(tickets::Column::ResolvedAt, Expr::value(Some(now)));
    }
    if ends_ticket(transition.to) {
        update = update.col_expr(tickets::Column::EndedAt, Expr::value(Some(now)));
    }
    if let Some(finding) = &transition.finding {
        update = with_finding(update, finding, actor, now);
    }
    with_link(update, transition)
}

/// What the agent found at the certificate authority, and who found it when.
fn with_finding(
    update: UpdateMany<tickets::Entity>,
    finding: &AuthorityFinding,
    actor: &HistoryActor,
    now: DateTime<Utc>,
) -> UpdateMany<tickets::Entity> {
    update
        .col_expr(
            tickets::Column::AuthorityStatus,
            Expr::value(finding.certificate_status.code()),
        )
        .col_expr(
            tickets::Column::AuthorityProfile,
            Expr::value(finding.profile.map(|p| p.code())),
        )
        .col_expr(
            tickets::Column::AuthorityValidUntil,
            Expr::value(finding.valid_until),
        )
        .col_expr(
            tickets::Column::AuthorityEnrolmentLocked,
            Expr::value(finding.enrolment_locked),
        )
        .col_expr(
            tickets::Column::AuthorityNote,
            Expr::value(finding.note.as_ref().map(|n| n.as_str().to_owned())),
        )
        .col_expr(
            tickets::Column::AuthorityRecordedBy,
            Expr::value(actor.id.clone()),
        )
        .col_expr(tickets::Column::AuthorityRecordedAt, Expr::value(Some(now)))
}

/// The authority's link the requester acts on: set while the desk waits for them,
/// cleared when the ticket leaves the wait; reassigning the ticket while it waits keeps
/// the link and its clock.
fn with_link(
    update: UpdateMany<tickets::Entity>,
    transition: &Transition,
) -> UpdateMany<tickets::Entity> {
    let link = transition
        .link
        .filter(|_| transition.to == Status::AwaitingRequesterAtAuthority);
    let leaves_wait = transition.from == Status::AwaitingRequesterAtAuthority
        && transition.to != Status::AwaitingRequesterAtAuthority;
    if link.is_none() && !leaves_wait {
        return update;
    }
    update
        .col_expr(
            tickets::Column::LinkStep,
            Expr::value(link.map(|l| l.step.code())),
        )
        .col_expr(
            tickets::Column::LinkSentAt,
            Expr::value(link.map(|l| l.sent_at)),
        )
        .col_expr(
            tickets::Column::LinkExpiresAt,
            Expr::value(link.map(|l| l.expires_at)),
        )
        // A fresh link has its own clock: its expiry is told again.
        .col_expr(
            tickets::Column::LinkRemindedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
}

/// The history entry of a transition: the action, the assignee, and what was recorded
/// about the authority and its link.
fn transition_entry(transition: &Transition) -> HistoryEntry<'_> {
    let mut detail = serde_json::json!({
        "action": transition.action.code(),
        "assignee_nip": transition.assignee_nip,
        "certificate_status": transition.finding.as_ref().map(|f| f.certificate_status.label()),
    });
    if let Some(finding) = &transition.finding {
        detail["authority"] = serde_json::json!({
            "certificate_status": finding.certificate_status.code(),
            "profile": finding.profile.map(|p| p.code()),
            "valid_until": finding.valid_until,
            "enrolment_locked": finding.enrolment_locked,
            "note": finding.note.as_ref().map(|n| n.as_str()),
        });
    }
    if let Some(link) = &transition.link {
        detail["link"] = serde_json::json!({
            "step": link.step.code(),
            "expires_at": link.expires_at,
        });
    }
    HistoryEntry {
        kind: HistoryKind::Transition,
        from: Some(transition.from),
        to: Some(transition.to),
        reason: transition.reason.as_ref().map(|r| r.as_str()),
        visibility: Visibility::Public,
        detail: Some(detail),
    }
}
