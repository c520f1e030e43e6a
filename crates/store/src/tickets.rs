//! Tickets: creation (files first, then one transaction) and reading back.

use bytes::Bytes;
use certdesk_domain::{AttachmentKind, FileType, Nik, TicketNumber};
use chrono::Utc;
use futures_util::future;
use futures_util::stream::BoxStream;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter,
};

use crate::blobs::ContentAddress;
use crate::entities::{blobs, ticket_attachments, ticket_events, ticket_history, tickets};
use crate::records::{AttachmentRecord, ChangeRecord, NewTicket, TicketRecord};
use crate::{Store, StoreError};

use certdesk_domain::lifecycle::{ENDORSEMENT_NEEDED, Recipient, Status, TICKET_RECEIVED};
use sea_orm::{DatabaseTransaction, QuerySelect};

use crate::outbox::Delivery;
use crate::records::HistoryActor;

pub struct CreatedTicket {
    pub number: TicketNumber,
    pub created_at: chrono::DateTime<Utc>,
}

impl Store {
    #[tracing::instrument(skip_all, fields(service = new.submission.request.service().code(), files = new.attachments.len()))]
    pub async fn create_ticket(&self, new: NewTicket<'_>) -> Result<CreatedTicket, StoreError> {
        // Files first, in parallel and fsynced: if the transaction below fails they are
        // merely unreferenced; the reverse order could commit a ticket without its files.
        future::try_join_all(
            new.attachments
                .iter()
                .map(|a| self.blobs.put(&a.address, a.content.clone())),
        )
        .await?;

        let submission = new.submission;
        let requester = &submission.requester;
        let request = &submission.request;
        // Microseconds: what PostgreSQL keeps, and what a page cursor carries, so that
        // keyset comparisons agree on both backends.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        let changes = match request.changes() {
            [] => None,
            changes => Some(
                serde_json::to_value(changes).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
        };

        let open_slot = open_slot(
            requester.nip.as_str(),
            request.service().code(),
            request.change_kind().map(|k| k.code()),
        );
        if let Some(existing) = self.ticket_holding(&open_slot).await? {
            return Err(StoreError::OpenTicketExists(existing));
        }

        let txn = self.begin_write().await?;
        // The key first: a concurrent request under the same key waits here for this
        // transaction, then fails, and is answered with this one's response.
        let mut idempotency = new.idempotency;
        if let Some(claim) = &idempotency {
            crate::idempotency::claim(&txn, claim, now).await?;
        }
        let inserted = tickets::ActiveModel {
            id: NotSet,
            service: Set(request.service().code().to_owned()),
            subtype: Set(request.change_kind().map(|k| k.code().to_owned())),
            reason: Set(request.revocation_reason().map(|r| r.code().to_owned())),
            reason_detail: Set(request.revocation_detail().map(|d| d.as_str().to_owned())),
            status: Set(new.status.code().to_owned()),
            requester_nip: Set(requester.nip.as_str().to_owned()),
            requester_nik: Set(requester.nik.as_ref().map(|n| n.expose().to_owned())),
            requester_name: Set(requester.name.as_str().to_owned()),
            requester_email: Set(requester.email.as_str().to_owned()),
            requester_unit: Set(requester.unit.as_str().to_owned()),
            requester_position: Set(requester.position.as_str().to_owned()),
            responsible_officer_nip: Set(submission.responsible_officer.as_str().to_owned()),
            description: Set(submission.description.as_str().to_owned()),
            changes: Set(changes),
            certificate_status: Set(submission.certificate_status.map(|s| s.label().to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
            queue: Set(new.queue.as_str().to_owned()),
            assignee_nip: Set(None),
            version: Set(1),
            open_slot: Set(Some(open_slot.clone())),
            resolved_at: Set(None),
            language: Set(new.language.map(|l| l.code().to_owned())),
        }
        .insert(&txn)
        .await;
        let ticket = match inserted {
            Ok(ticket) => ticket,
            // Another request took the slot between the check above and this insert.
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                drop(txn);
                let existing = self
                    .ticket_holding(&open_slot)
                    .await?
                    .ok_or(StoreError::Database(e))?;
                return Err(StoreError::OpenTicketExists(existing));
            }
            Err(e) => return Err(e.into()),
        };
        let number = TicketNumber::from_sequence(ticket.id)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;

        if !new.attachments.is_empty() {
            blobs::Entity::insert_many(new.attachments.iter().map(|a| blobs::ActiveModel {
                sha256: Set(a.address.as_str().to_owned()),
                content_type: Set(a.inspected.file_type.content_type().to_owned()),
                byte_size: Set(a.inspected.byte_size as i64),
                width: Set(a.inspected.pixels.map(|(w, _)| w as i32)),
                height: Set(a.inspected.pixels.map(|(_, h)| h as i32)),
                created_at: Set(now),
            }))
            // The same file on another ticket (or twice on this one) is stored once.
            .on_conflict_do_nothing_on([blobs::Column::Sha256])
            .exec_without_returning(&txn)
            .await?;
            ticket_attachments::Entity::insert_many(new.attachments.iter().map(|a| {
                ticket_attachments::ActiveModel {
                    ticket_id: Set(ticket.id),
                    kind: Set(a.kind.code().to_owned()),
                    blob_sha256: Set(a.address.as_str().to_owned()),
                    created_at: Set(now),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }

        write_history(
            &txn,
            ticket.id,
            new.filed_by,
            HistoryEntry {
                kind: "created",
                from: None,
                to: Some(new.status),
                reason: None,
                visibility: "public",
                detail: Some(serde_json::json!({ "queue": new.queue.as_str() })),
            },
            now,
        )
        .await?;
        write_event(
            &txn,
            ticket.id,
            Event {
                kind: TICKET_RECEIVED,
                recipient: Recipient::Requester,
                recipient_nip: Some(requester.nip.as_str()),
                status: new.status,
                reason: None,
            },
            now,
        )
        .await?;
        if new.status == Status::AwaitingEndorsement {
            write_event(
                &txn,
                ticket.id,
                Event {
                    kind: ENDORSEMENT_NEEDED,
                    recipient: Recipient::ResponsibleOfficer,
                    recipient_nip: Some(submission.responsible_officer.as_str()),
                    status: new.status,
                    reason: None,
                },
                now,
            )
            .await?;
        }
        let created = CreatedTicket {
            number,
            created_at: now,
        };
        if let Some(claim) = idempotency.take() {
            crate::idempotency::remember(&txn, claim, &created).await?;
        }
        txn.commit().await?;
        tracing::info!(ticket = %number, "ticket stored");
        Ok(created)
    }

    /// The open ticket that holds a requester's slot, if any.
    pub(crate) async fn ticket_holding(
        &self,
        slot: &str,
    ) -> Result<Option<TicketNumber>, StoreError> {
        let id: Option<i64> = tickets::Entity::find()
            .select_only()
            .column(tickets::Column::Id)
            .filter(tickets::Column::OpenSlot.eq(slot))
            .into_tuple()
            .one(&self.db)
            .await?;
        id.map(|id| TicketNumber::from_sequence(id).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    pub async fn ticket(&self, number: TicketNumber) -> Result<Option<TicketRecord>, StoreError> {
        let Some(ticket) = tickets::Entity::find_by_id(number.sequence())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let attachments = self.attachment_records(ticket.id).await?;
        Ok(Some(ticket_record(number, ticket, attachments)?))
    }

    /// The stored file of one kind on a ticket, with its bytes as a stream.
    pub async fn attachment(
        &self,
        number: TicketNumber,
        kind: AttachmentKind,
    ) -> Result<
        Option<(
            AttachmentRecord,
            BoxStream<'static, Result<Bytes, StoreError>>,
        )>,
        StoreError,
    > {
        let Some(row) =
            ticket_attachments::Entity::find_by_id((number.sequence(), kind.code().to_owned()))
                .one(&self.db)
                .await?
        else {
            return Ok(None);
        };
        let Some(blob) = blobs::Entity::find_by_id(row.blob_sha256.clone())
            .one(&self.db)
            .await?
        else {
            return Err(StoreError::Corrupt(format!(
                "attachment of {number} refers to a missing blob"
            )));
        };
        let record = attachment_record(row, &blob)?;
        let stream = self.blobs.stream(&record.sha256).await?;
        Ok(Some((record, stream)))
    }

    async fn attachment_records(
        &self,
        ticket_id: i64,
    ) -> Result<Vec<AttachmentRecord>, StoreError> {
        // Two indexed queries rather than a declared relation: at most five rows each.
        let rows = ticket_attachments::Entity::find()
            .filter(ticket_attachments::Column::TicketId.eq(ticket_id))
            .all(&self.db)
            .await?;
        let addresses: Vec<String> = rows.iter().map(|r| r.blob_sha256.clone()).collect();
        let blobs = blobs::Entity::find()
            .filter(blobs::Column::Sha256.is_in(addresses))
            .all(&self.db)
            .await?;
        let mut records = rows
            .into_iter()
            .map(|row| {
                let blob = blobs
                    .iter()
                    .find(|b| b.sha256 == row.blob_sha256)
                    .ok_or_else(|| {
                        StoreError::Corrupt("attachment refers to a missing blob".into())
                    })?;
                attachment_record(row, blob)
            })
            .collect::<Result<Vec<_>, _>>()?;
        records.sort_by_key(|r| r.kind);
        Ok(records)
    }
}

fn uuid_v7() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The key of a requester's one open ticket per service and sub-type.
pub(crate) fn open_slot(requester_nip: &str, service: &str, subtype: Option<&str>) -> String {
    format!("{requester_nip}/{service}/{}", subtype.unwrap_or("-"))
}

pub(crate) struct HistoryEntry<'a> {
    pub kind: &'a str,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<&'a str>,
    pub visibility: &'a str,
    pub detail: Option<serde_json::Value>,
}

pub(crate) async fn write_history(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    actor: &HistoryActor,
    entry: HistoryEntry<'_>,
    at: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    ticket_history::ActiveModel {
        id: NotSet,
        ticket_id: Set(ticket_id),
        at: Set(at),
        actor_nip: Set(actor.id.clone()),
        actor_role: Set(actor.role.clone()),
        kind: Set(entry.kind.to_owned()),
        from_status: Set(entry.from.map(|s| s.code().to_owned())),
        to_status: Set(entry.to.map(|s| s.code().to_owned())),
        reason: Set(entry.reason.map(str::to_owned)),
        visibility: Set(entry.visibility.to_owned()),
        detail: Set(entry.detail),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// One event for the worker: what happened, for whom, and what the email needs to say.
pub(crate) struct Event<'a> {
    pub kind: &'a str,
    pub recipient: Recipient,
    /// The recipient's NIP as it was when the event happened (the assignee may change
    /// before the email goes out; the email goes to whom it concerned).
    pub recipient_nip: Option<&'a str>,
    pub status: Status,
    /// The reason given (what is missing, why it was rejected, …), for the email.
    pub reason: Option<&'a str>,
}

/// An outbox row: the worker turns it into an email. Written in the same transaction
/// as the change it reports, so neither exists without the other.
pub(crate) async fn write_event(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    event: Event<'_>,
    at: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    ticket_events::ActiveModel {
        id: Set(uuid_v7()),
        ticket_id: Set(ticket_id),
        kind: Set(event.kind.to_owned()),
        payload: Set(serde_json::json!({
            "recipient": event.recipient.code(),
            "recipient_nip": event.recipient_nip,
            "status": event.status.code(),
            "reason": event.reason,
        })),
        created_at: Set(at),
        delivery: Set(Delivery::Pending.code().to_owned()),
        attempts: Set(0),
        available_at: Set(at),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        uncertain: Set(false),
        sent_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

pub(crate) fn attachment_record(
    row: ticket_attachments::Model,
    blob: &blobs::Model,
) -> Result<AttachmentRecord, StoreError> {
    let kind = AttachmentKind::from_code(&row.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown attachment kind {:?}", row.kind)))?;
    let file_type = FileType::from_content_type(&blob.content_type).ok_or_else(|| {
        StoreError::Corrupt(format!("unknown content type {:?}", blob.content_type))
    })?;
    Ok(AttachmentRecord {
        kind,
        file_type,
        byte_size: blob.byte_size as u64,
        pixels: blob
            .width
            .zip(blob.height)
            .map(|(w, h)| (w as u32, h as u32)),
        sha256: ContentAddress::from_stored(blob.sha256.clone()),
        created_at: row.created_at,
    })
}

pub(crate) fn ticket_record(
    number: TicketNumber,
    t: tickets::Model,
    attachments: Vec<AttachmentRecord>,
) -> Result<TicketRecord, StoreError> {
    let requester_nik = t
        .requester_nik
        .as_deref()
        .map(Nik::parse)
        .transpose()
        .map_err(|_| StoreError::Corrupt(format!("stored NIK of {number} is not a valid NIK")))?;
    let changes = match t.changes {
        Some(value) => {
            serde_json::from_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))?
        }
        None => Vec::<ChangeRecord>::new(),
    };
    Ok(TicketRecord {
        number,
        service: t.service,
        subtype: t.subtype,
        reason: t.reason,
        reason_detail: t.reason_detail,
        status: t.status,
        requester_nip: t.requester_nip,
        requester_nik,
        requester_name: t.requester_name,
        requester_email: t.requester_email,
        requester_unit: t.requester_unit,
        requester_position: t.requester_position,
        responsible_officer_nip: t.responsible_officer_nip,
        description: t.description,
        changes,
        certificate_status: t.certificate_status,
        created_at: t.created_at,
        updated_at: t.updated_at,
        attachments,
        queue: t.queue,
        assignee_nip: t.assignee_nip,
        version: t.version,
        resolved_at: t.resolved_at,
    })
}
