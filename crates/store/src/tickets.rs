//! Tickets: creation (files first, then one transaction) and reading back.

use bytes::Bytes;
use certdesk_domain::{AttachmentKind, FileType, Nik, TicketNumber};
use chrono::Utc;
use futures_util::future;
use futures_util::stream::BoxStream;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};

use crate::blobs::ContentAddress;
use crate::entities::{blobs, ticket_attachments, ticket_events, tickets};
use crate::records::{AttachmentRecord, ChangeRecord, NewTicket, TicketRecord};
use crate::{Store, StoreError};

/// The status every ticket starts in.
const INITIAL_STATUS: &str = "submitted";
/// The event written with every new ticket; the worker turns it into the requester's
/// "ticket received" email.
pub const TICKET_RECEIVED: &str = "ticket_received";

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
        let now = Utc::now();
        let changes = match request.changes() {
            [] => None,
            changes => Some(
                serde_json::to_value(changes).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
        };

        let txn = self.db.begin().await?;
        let ticket = tickets::ActiveModel {
            id: NotSet,
            service: Set(request.service().code().to_owned()),
            subtype: Set(request.change_kind().map(|k| k.code().to_owned())),
            reason: Set(request.revocation_reason().map(|r| r.code().to_owned())),
            reason_detail: Set(request.revocation_detail().map(|d| d.as_str().to_owned())),
            status: Set(INITIAL_STATUS.to_owned()),
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
        }
        .insert(&txn)
        .await?;
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

        ticket_events::ActiveModel {
            id: Set(uuid_v7()),
            ticket_id: Set(ticket.id),
            kind: Set(TICKET_RECEIVED.to_owned()),
            payload: Set(serde_json::json!({ "status": INITIAL_STATUS })),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(ticket = %number, "ticket stored");
        Ok(CreatedTicket {
            number,
            created_at: now,
        })
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

fn attachment_record(
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

fn ticket_record(
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
    })
}
