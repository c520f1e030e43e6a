//! Tickets: creation (files first, then one transaction) and reading back.

use certdesk_domain::lifecycle::{HistoryKind, Status, TicketFacts, Visibility, filing_notices};
use certdesk_domain::routing::QueueName;
use certdesk_domain::service::ChangeableField;
use certdesk_domain::{
    AttachmentKind, CertificateStatus, ChangeKind, FileType, Language, Nik, RevocationReason,
    Service, TicketNumber,
};
use chrono::Utc;
use futures_util::future;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter,
    QuerySelect,
};

use crate::blobs::{ContentAddress, FileStream};
use crate::decode::{decode, decode_opt, nip, nip_opt};
use crate::entities::{blobs, ticket_attachments, tickets};
use crate::history::{HistoryEntry, write_history};
use crate::outbox::enqueue;
use crate::records::{AttachmentRecord, ChangeRecord, CreatedTicket, NewTicket, TicketRecord};
use crate::{Store, StoreError};

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
            request.service(),
            request.change_kind(),
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
                kind: HistoryKind::Created,
                from: None,
                to: Some(new.status),
                reason: None,
                visibility: Visibility::Public,
                detail: Some(serde_json::json!({ "queue": new.queue.as_str() })),
            },
            now,
        )
        .await?;
        let filed = TicketFacts {
            status: new.status,
            requester_nip: requester.nip.clone(),
            officer_nip: submission.responsible_officer.clone(),
            assignee_nip: None,
            resolved_at: None,
        };
        for notice in filing_notices(&filed) {
            enqueue(&txn, ticket.id, &notice, now).await?;
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
    ) -> Result<Option<(AttachmentRecord, FileStream)>, StoreError> {
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

/// The key of a requester's one open ticket per service and sub-type.
pub(crate) fn open_slot(
    requester_nip: &str,
    service: Service,
    subtype: Option<ChangeKind>,
) -> String {
    format!(
        "{requester_nip}/{}/{}",
        service.code(),
        subtype.map_or("-", ChangeKind::code)
    )
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
        Some(value) => serde_json::from_value::<Vec<StoredChange>>(value)
            .map_err(|_| StoreError::Corrupt(format!("the changes of {number} do not read back")))?
            .into_iter()
            .map(|c| {
                Ok(ChangeRecord {
                    field: decode("changed field", &c.field, ChangeableField::from_code)?,
                    new_value: c.new_value,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?,
        None => Vec::new(),
    };
    Ok(TicketRecord {
        number,
        service: decode("service", &t.service, Service::from_code)?,
        subtype: decode_opt("sub-type", t.subtype.as_deref(), ChangeKind::from_code)?,
        reason: decode_opt(
            "revocation reason",
            t.reason.as_deref(),
            RevocationReason::from_code,
        )?,
        reason_detail: t.reason_detail,
        status: decode("status", &t.status, Status::from_code)?,
        requester_nip: nip("requester NIP", &t.requester_nip)?,
        requester_nik,
        requester_name: t.requester_name,
        requester_email: t.requester_email,
        requester_unit: t.requester_unit,
        requester_position: t.requester_position,
        responsible_officer_nip: nip("officer NIP", &t.responsible_officer_nip)?,
        description: t.description,
        changes,
        certificate_status: decode_opt(
            "certificate status",
            t.certificate_status.as_deref(),
            CertificateStatus::from_label,
        )?,
        created_at: t.created_at,
        updated_at: t.updated_at,
        attachments,
        queue: decode("queue", &t.queue, |q| QueueName::parse(q).ok())?,
        assignee_nip: nip_opt("assignee NIP", t.assignee_nip.as_deref())?,
        version: t.version,
        resolved_at: t.resolved_at,
        language: decode_opt("language", t.language.as_deref(), Language::from_tag)?,
    })
}

/// A change as the `changes` column holds it (the domain's `FieldChange`, serialised).
#[derive(serde::Deserialize)]
struct StoredChange {
    field: String,
    new_value: String,
}
