//! Tickets: creation (files first, then one transaction) and reading back.

use certdesk_domain::lifecycle::{
    AuthorityLink, HistoryKind, ProfileState, RequesterStep, Status, TicketFacts, Visibility,
    filing_notices,
};
use certdesk_domain::routing::QueueName;
use certdesk_domain::service::{ChangeableField, FieldChange};
use certdesk_domain::service_level::{ServiceLine, TicketClocks};
use certdesk_domain::{
    AttachmentKind, CertificateStatus, ChangeKind, FileType, Language, Message, Nik, Problem,
    ProblemCode, RevocationReason, Service, TicketNumber, mask_nik,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect,
};

use crate::blobs::FileStream;
use crate::clocks::{RowInstants, insert_started, row_instants, started};
use crate::decode::{decode, decode_opt, nip, nip_opt};
use crate::entities::{stored_files, ticket_attachments, tickets};
use crate::error::is_unique_violation;
use crate::files::{SealedFile, nik_context, seal_nik};
use crate::history::{HistoryEntry, write_history};
use crate::outbox::enqueue;
use crate::records::{
    AttachmentRecord, AuthorityRecord, ChangeRecord, CreatedTicket, NewAttachment, NewTicket,
    TicketRecord,
};
use crate::{Store, StoreError};

impl Store {
    /// Files a ticket: its files sealed and durably written first, then one transaction
    /// holding the ticket, its attachments, the `created` history entry, the notices of
    /// the filing and the idempotency key's response.
    #[tracing::instrument(skip_all, fields(service = new.submission.request.service().code(), files = new.attachments.len()))]
    pub async fn create_ticket(&self, new: NewTicket<'_>) -> Result<CreatedTicket, StoreError> {
        // Files first, in parallel and fsynced: if the transaction below fails they are
        // merely unreferenced; the reverse order could commit a ticket without its files.
        // Each file is sealed under a key of its own and a random name.
        let sealed = self
            .write_sealed(
                new.attachments
                    .iter()
                    .map(|a| (a.content.clone(), a.address.clone()))
                    .collect(),
            )
            .await?;
        // Microseconds: what PostgreSQL keeps, and what a page cursor carries, so that
        // keyset comparisons agree on both backends.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        let request = &new.submission.request;
        let slot = open_slot(
            new.submission.requester.nip.as_str(),
            request.service(),
            request.change_kind(),
        );
        if let Some(existing) = self.ticket_holding(&slot).await? {
            return Err(StoreError::OpenTicketExists(existing));
        }
        // The clocks the filing starts: computed first, so that what they come to goes
        // into the ticket's row as it is inserted, and they follow in one statement.
        let line = ServiceLine::of(request.service(), request.change_kind()).ok_or_else(|| {
            StoreError::Corrupt("a 15.2 request without its sub-type reached the store".into())
        })?;
        let clocks = started(new.service_levels, line, new.status, now);
        let row =
            self.new_ticket_row(&new, &slot, &row_instants(new.service_levels, &clocks), now)?;

        let txn = self.begin_write().await?;
        // The key first: a concurrent request under the same key waits here for this
        // transaction, then fails, and is answered with this one's response.
        let mut new = new;
        let idempotency = new.idempotency.take();
        if let Some(claim) = &idempotency {
            crate::idempotency::claim(&txn, claim, now).await?;
        }
        let ticket_id = match row.insert(&txn).await {
            Ok(ticket) => ticket.id,
            // Another request took the slot between the check above and this insert.
            Err(e) if is_unique_violation(&e) => {
                drop(txn);
                return Err(self.slot_taken(&slot, e).await);
            }
            Err(e) => return Err(e.into()),
        };
        let number = TicketNumber::from_sequence(ticket_id)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        attach_files(&txn, ticket_id, &new.attachments, &sealed, now).await?;
        insert_started(&txn, new.service_levels, ticket_id, &clocks).await?;
        record_filing(&txn, ticket_id, &new, now).await?;
        let created = CreatedTicket {
            number,
            created_at: now,
        };
        if let Some(claim) = idempotency {
            crate::idempotency::remember(&txn, claim, &created).await?;
        }
        txn.commit().await?;
        tracing::info!(ticket = %number, "ticket stored");
        Ok(created)
    }

    /// The ticket's row as filed: the NIK sealed and keyed-hashed, a corrected NIK kept
    /// sealed beside it and masked in the changes, the slot held.
    fn new_ticket_row(
        &self,
        new: &NewTicket<'_>,
        slot: &str,
        clocks: &RowInstants,
        now: DateTime<Utc>,
    ) -> Result<tickets::ActiveModel, StoreError> {
        let submission = new.submission;
        let requester = &submission.requester;
        let request = &submission.request;
        let corrected_nik = request
            .changes()
            .iter()
            .find(|c| c.field == ChangeableField::Nik)
            .map(|c| c.new_value.clone());
        let nik = requester
            .nik
            .as_ref()
            .map(|nik| {
                seal_nik(
                    &self.keys.get(),
                    nik.expose(),
                    corrected_nik.as_deref(),
                    requester.nip.as_str(),
                )
            })
            .transpose()?;
        Ok(tickets::ActiveModel {
            id: NotSet,
            service: Set(request.service().code().to_owned()),
            subtype: Set(request.change_kind().map(|k| k.code().to_owned())),
            reason: Set(request.revocation_reason().map(|r| r.code().to_owned())),
            reason_detail: Set(request.revocation_detail().map(|d| d.as_str().to_owned())),
            status: Set(new.status.code().to_owned()),
            requester_nip: Set(requester.nip.as_str().to_owned()),
            requester_nik: Set(None),
            nik_sealed: Set(nik.as_ref().map(|n| n.sealed.clone())),
            nik_key_id: Set(nik.as_ref().map(|n| n.key_id.clone())),
            nik_index: Set(nik.as_ref().map(|n| n.index.clone())),
            nik_masked: Set(nik.as_ref().map(|n| n.masked.clone())),
            ended_at: Set(None),
            nik_erased_at: Set(None),
            authority_status: Set(None),
            authority_profile: Set(None),
            authority_valid_until: Set(None),
            authority_enrolment_locked: Set(None),
            authority_note: Set(None),
            authority_recorded_by: Set(None),
            authority_recorded_at: Set(None),
            link_step: Set(None),
            link_sent_at: Set(None),
            link_expires_at: Set(None),
            link_reminded_at: Set(None),
            endorsement_reminded_at: Set(None),
            intake_warnings: Set(json_or_none(new.warnings)?),
            requester_name: Set(requester.name.as_str().to_owned()),
            requester_email: Set(requester.email.as_str().to_owned()),
            requester_unit: Set(requester.unit.as_str().to_owned()),
            requester_position: Set(requester.position.as_str().to_owned()),
            responsible_officer_nip: Set(submission.responsible_officer.as_str().to_owned()),
            description: Set(submission.description.as_str().to_owned()),
            changes: Set(json_or_none(&masked_changes(request.changes()))?),
            certificate_status: Set(submission.certificate_status.map(|s| s.label().to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
            queue: Set(new.queue.as_str().to_owned()),
            assignee_nip: Set(None),
            version: Set(1),
            open_slot: Set(Some(slot.to_owned())),
            resolved_at: Set(None),
            language: Set(new.language.map(|l| l.code().to_owned())),
            sla_due_at: Set(clocks.due_at),
            sla_at_risk_at: Set(clocks.at_risk_at),
            sla_breached_at: Set(clocks.breached_at),
            sla_sort_at: Set(Some(clocks.sort_at)),
        })
    }

    /// After a unique violation on the slot: the ticket that holds it now.
    pub(crate) async fn slot_taken(&self, slot: &str, violation: sea_orm::DbErr) -> StoreError {
        match self.ticket_holding(slot).await {
            Ok(Some(holder)) => StoreError::OpenTicketExists(holder),
            Ok(None) => StoreError::Database(violation),
            Err(e) => e,
        }
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
        let clocks = crate::clocks::read(&self.db, ticket.id).await?;
        let niks = self.nik_of(&ticket)?;
        Ok(Some(ticket_record(
            number,
            ticket,
            niks,
            attachments,
            clocks,
        )?))
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
        let Some(file) = stored_files::Entity::find_by_id(row.file_id.clone())
            .one(&self.db)
            .await?
        else {
            return Err(StoreError::Corrupt(format!(
                "attachment of {number} refers to a missing file"
            )));
        };
        let record = self.attachment_record(row, &file)?;
        let stream = self.open_file(&file).await?;
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
        let ids: Vec<String> = rows.iter().map(|r| r.file_id.clone()).collect();
        let files = stored_files::Entity::find()
            .filter(stored_files::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let mut records = rows
            .into_iter()
            .map(|row| {
                let file = files.iter().find(|f| f.id == row.file_id).ok_or_else(|| {
                    StoreError::Corrupt("attachment refers to a missing file".into())
                })?;
                self.attachment_record(row, file)
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

/// The requested changes as kept: a corrected NIK masked (it is kept sealed with the
/// ticket's own).
fn masked_changes(changes: &[FieldChange]) -> Vec<FieldChange> {
    changes
        .iter()
        .map(|c| FieldChange {
            field: c.field,
            new_value: if c.field == ChangeableField::Nik {
                mask_nik(&c.new_value)
            } else {
                c.new_value.clone()
            },
        })
        .collect()
}

/// A list as a JSON column: none when empty.
fn json_or_none<T: serde::Serialize>(items: &[T]) -> Result<Option<serde_json::Value>, StoreError> {
    if items.is_empty() {
        return Ok(None);
    }
    serde_json::to_value(items)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The filed files' rows and the ticket's attachments pointing at them.
async fn attach_files(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    attachments: &[NewAttachment],
    sealed: &[SealedFile],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if attachments.is_empty() {
        return Ok(());
    }
    stored_files::Entity::insert_many(
        attachments
            .iter()
            .zip(sealed)
            .map(|(a, file)| file.row(&a.inspected, now)),
    )
    .exec_without_returning(txn)
    .await?;
    ticket_attachments::Entity::insert_many(attachments.iter().zip(sealed).map(|(a, file)| {
        ticket_attachments::ActiveModel {
            ticket_id: Set(ticket_id),
            kind: Set(a.kind.code().to_owned()),
            file_id: Set(file.id.clone()),
            created_at: Set(now),
        }
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The filing in the ticket's history, and the notices the domain gives for it.
async fn record_filing(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    new: &NewTicket<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    write_history(
        txn,
        ticket_id,
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
        requester_nip: new.submission.requester.nip.clone(),
        officer_nip: new.submission.responsible_officer.clone(),
        assignee_nip: None,
        resolved_at: None,
    };
    for notice in filing_notices(&filed) {
        enqueue(txn, ticket_id, &notice, now).await?;
    }
    Ok(())
}

impl Store {
    pub(crate) fn attachment_record(
        &self,
        row: ticket_attachments::Model,
        file: &stored_files::Model,
    ) -> Result<AttachmentRecord, StoreError> {
        let kind = decode("attachment kind", &row.kind, AttachmentKind::from_code)?;
        let file_type = decode(
            "content type",
            &file.content_type,
            FileType::from_content_type,
        )?;
        Ok(AttachmentRecord {
            kind,
            file_type,
            byte_size: file.byte_size as u64,
            pixels: file
                .width
                .zip(file.height)
                .map(|(w, h)| (w as u32, h as u32)),
            sha256: self.digest_of(file)?,
            created_at: row.created_at,
            purged_at: file.purged_at,
        })
    }

    /// The requester's NIK, opened, and the one a data change corrects it to: `None`
    /// when the ticket has none or it was erased.
    pub(crate) fn nik_of(&self, t: &tickets::Model) -> Result<StoredNiks, StoreError> {
        let sealed = match (&t.nik_key_id, &t.nik_sealed, &t.requester_nik) {
            (Some(key_id), Some(sealed), _) => {
                let context = nik_context(&t.requester_nip);
                self.keys.with(|k| k.open(key_id, &context, sealed))?
            }
            // Not sealed yet: stored by a version before encryption at rest.
            (_, _, Some(clear)) => clear.as_bytes().to_vec(),
            _ => return Ok(StoredNiks::default()),
        };
        let text = String::from_utf8(sealed)
            .map_err(|_| StoreError::Corrupt("a sealed NIK is not text".into()))?;
        let parse = |digits: &str| {
            Nik::parse(digits)
                .map_err(|_| StoreError::Corrupt("a stored NIK is not a valid NIK".into()))
        };
        let mut lines = text.lines();
        Ok(StoredNiks {
            current: lines.next().map(parse).transpose()?,
            corrected: lines.next().map(parse).transpose()?,
        })
    }
}

/// A ticket's NIKs as opened: its own, and the one a data change corrects it to.
#[derive(Debug, Default)]
pub(crate) struct StoredNiks {
    pub current: Option<Nik>,
    pub corrected: Option<Nik>,
}

pub(crate) fn ticket_record(
    number: TicketNumber,
    t: tickets::Model,
    niks: StoredNiks,
    attachments: Vec<AttachmentRecord>,
    clocks: TicketClocks,
) -> Result<TicketRecord, StoreError> {
    let StoredNiks {
        current: requester_nik,
        corrected,
    } = niks;
    let changes = match t.changes {
        Some(value) => serde_json::from_value::<Vec<StoredChange>>(value)
            .map_err(|_| StoreError::Corrupt(format!("the changes of {number} do not read back")))?
            .into_iter()
            .map(|c| {
                let field = decode("changed field", &c.field, ChangeableField::from_code)?;
                // The corrected NIK itself, while it is kept; its masked form after.
                let new_value = match (field, &corrected) {
                    (ChangeableField::Nik, Some(nik)) => nik.expose().to_owned(),
                    _ => c.new_value,
                };
                Ok(ChangeRecord { field, new_value })
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
        requester_nik_masked: t.nik_masked,
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
        authority: match (
            t.authority_status,
            t.authority_recorded_by,
            t.authority_recorded_at,
        ) {
            (Some(status), Some(by), Some(at)) => Some(AuthorityRecord {
                certificate_status: decode(
                    "authority status",
                    &status,
                    CertificateStatus::from_code,
                )?,
                profile: decode_opt(
                    "authority profile",
                    t.authority_profile.as_deref(),
                    ProfileState::from_code,
                )?,
                valid_until: t.authority_valid_until,
                enrolment_locked: t.authority_enrolment_locked,
                note: t.authority_note,
                recorded_by: nip("authority recorder NIP", &by)?,
                recorded_at: at,
            }),
            _ => None,
        },
        link: match (t.link_step, t.link_sent_at, t.link_expires_at) {
            (Some(step), Some(sent_at), Some(expires_at)) => Some(AuthorityLink {
                step: decode("link step", &step, RequesterStep::from_code)?,
                sent_at,
                expires_at,
            }),
            _ => None,
        },
        intake_warnings: match t.intake_warnings {
            Some(value) => serde_json::from_value::<Vec<StoredWarning>>(value)
                .map_err(|_| {
                    StoreError::Corrupt(format!("the warnings of {number} do not read back"))
                })?
                .into_iter()
                .map(|w| {
                    Ok(Problem::new(
                        w.field,
                        decode("warning code", &w.code, ProblemCode::from_code)?,
                        w.message,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
            None => Vec::new(),
        },
        clocks,
    })
}

/// A warning as the `intake_warnings` column holds it (the domain's `Problem`, serialised).
#[derive(serde::Deserialize)]
struct StoredWarning {
    field: String,
    code: String,
    message: Message,
}

/// A change as the `changes` column holds it (the domain's `FieldChange`, serialised).
#[derive(serde::Deserialize)]
struct StoredChange {
    field: String,
    new_value: String,
}
