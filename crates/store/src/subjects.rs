//! The data subject's rights (UU 27/2022): everything held about one person, found by
//! the keyed hash of their NIK; and their anonymisation once all their tickets have
//! ended. Both are looks at personal data, recorded in the audit in the transaction that
//! decides them.

use certdesk_domain::lifecycle::{HistoryKind, Visibility};
use certdesk_domain::{Nik, TicketNumber};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::audit::{NewLook, write_look};
use crate::decode::decode;
use crate::entities::{stored_files, ticket_attachments, ticket_events, tickets};
use crate::history::{HistoryEntry, write_history};
use crate::records::{HistoryActor, HistoryRecord, TicketRecord};
use crate::{Store, StoreError};

/// What stands in for a person's name, address, NIK and words once anonymised.
pub const ANONYMISED_NAME: &str = "(dianonimkan)";
pub const ANONYMISED_EMAIL: &str = "dianonimkan@anonim.invalid";
pub const ANONYMISED_NIK: &str = "****************";

/// One of the person's tickets, with all the desk keeps about it.
#[derive(Debug, Clone)]
pub struct SubjectTicket {
    pub ticket: TicketRecord,
    pub ended_at: Option<DateTime<Utc>>,
    pub history: Vec<HistoryRecord>,
    pub emails: Vec<EmailRecord>,
}

/// A status email to the person, as the outbox keeps it (the text is rendered when sent
/// and not kept).
#[derive(Debug, Clone)]
pub struct EmailRecord {
    pub event: String,
    pub queued_at: DateTime<Utc>,
    pub delivery: String,
    pub sent_at: Option<DateTime<Utc>>,
}

/// How an anonymisation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anonymised {
    /// No ticket is held for this NIK.
    NoneHeld,
    Done {
        tickets: Vec<TicketNumber>,
        files_purged: u64,
    },
}

impl Store {
    async fn subject_rows(&self, nik: &Nik) -> Result<Vec<tickets::Model>, StoreError> {
        let index = self.keys.get().nik_index(nik.expose());
        Ok(tickets::Entity::find()
            .filter(tickets::Column::NikIndex.eq(index))
            .order_by_asc(tickets::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Everything held about the person with `nik`; one audit row per ticket shown (one
    /// with no ticket when none is held), committed before anything is read out.
    pub async fn export_subject(
        &self,
        nik: &Nik,
        look: &NewLook,
        now: DateTime<Utc>,
    ) -> Result<Vec<SubjectTicket>, StoreError> {
        let rows = self.subject_rows(nik).await?;
        let numbers = rows
            .iter()
            .map(|t| {
                TicketNumber::from_sequence(t.id).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let txn = self.begin_write().await?;
        if numbers.is_empty() {
            write_look(&txn, look, now).await?;
        }
        for number in &numbers {
            let mut look = look.clone();
            look.ticket = Some(*number);
            write_look(&txn, &look, now).await?;
        }
        txn.commit().await?;
        let mut exported = Vec::with_capacity(rows.len());
        for (row, number) in rows.iter().zip(numbers) {
            let ticket = self
                .ticket(number)
                .await?
                .ok_or(StoreError::TicketNotFound)?;
            let history = self.history(number, true).await?;
            let emails = ticket_events::Entity::find()
                .filter(ticket_events::Column::TicketId.eq(row.id))
                .order_by_asc(ticket_events::Column::CreatedAt)
                .all(&self.db)
                .await?
                .into_iter()
                .filter(|e| {
                    e.payload.get("recipient").and_then(|r| r.as_str()) == Some("requester")
                })
                .map(|e| EmailRecord {
                    event: e.kind,
                    queued_at: e.created_at,
                    delivery: e.delivery,
                    sent_at: e.sent_at,
                })
                .collect();
            exported.push(SubjectTicket {
                ticket,
                ended_at: row.ended_at,
                history,
                emails,
            });
        }
        Ok(exported)
    }

    /// Purges the person's files now and replaces their name, address, NIK, description
    /// and requested changes with placeholders, keeping numbers, services, dates and the
    /// history's shape. Refused while one of their tickets has not ended.
    pub async fn anonymise_subject(
        &self,
        nik: &Nik,
        look: &NewLook,
        actor: &HistoryActor,
        now: DateTime<Utc>,
    ) -> Result<Anonymised, StoreError> {
        let rows = self.subject_rows(nik).await?;
        if rows.is_empty() {
            return Ok(Anonymised::NoneHeld);
        }
        let numbers = rows
            .iter()
            .map(|t| {
                TicketNumber::from_sequence(t.id).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let open: Vec<TicketNumber> = rows
            .iter()
            .zip(&numbers)
            .filter(|(row, _)| row.ended_at.is_none())
            .map(|(_, number)| *number)
            .collect();
        if !open.is_empty() {
            return Err(StoreError::SubjectHasOpenTickets(open));
        }
        let mut files_purged = 0;
        for row in &rows {
            let files = ticket_attachments::Entity::find()
                .filter(ticket_attachments::Column::TicketId.eq(row.id))
                .all(&self.db)
                .await?;
            for attachment in files {
                let purged = stored_files::Entity::find_by_id(attachment.file_id.clone())
                    .one(&self.db)
                    .await?
                    .is_some_and(|f| f.purged_at.is_some());
                if purged {
                    continue;
                }
                let kind = decode(
                    "attachment kind",
                    &attachment.kind,
                    certdesk_domain::AttachmentKind::from_code,
                )?;
                if self
                    .purge_file(row.id, kind, &attachment.file_id, now)
                    .await?
                {
                    files_purged += 1;
                }
            }
        }
        let txn = self.begin_write().await?;
        for (row, number) in rows.iter().zip(&numbers) {
            let changed = tickets::Entity::update_many()
                .col_expr(tickets::Column::RequesterName, Expr::value(ANONYMISED_NAME))
                .col_expr(
                    tickets::Column::RequesterEmail,
                    Expr::value(ANONYMISED_EMAIL),
                )
                .col_expr(tickets::Column::Description, Expr::value(ANONYMISED_NAME))
                .col_expr(
                    tickets::Column::ReasonDetail,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    tickets::Column::Changes,
                    Expr::value(Option::<serde_json::Value>::None),
                )
                .col_expr(
                    tickets::Column::RequesterNik,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    tickets::Column::NikSealed,
                    Expr::value(Option::<Vec<u8>>::None),
                )
                .col_expr(
                    tickets::Column::NikKeyId,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    tickets::Column::NikIndex,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    tickets::Column::AuthorityNote,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(tickets::Column::NikMasked, Expr::value(ANONYMISED_NIK))
                .col_expr(tickets::Column::NikErasedAt, Expr::value(Some(now)))
                .col_expr(
                    tickets::Column::Version,
                    Expr::col(tickets::Column::Version).add(1),
                )
                .filter(tickets::Column::Id.eq(row.id))
                .filter(tickets::Column::EndedAt.is_not_null())
                .exec(&txn)
                .await?;
            if changed.rows_affected != 1 {
                return Err(StoreError::SubjectHasOpenTickets(vec![*number]));
            }
            write_history(
                &txn,
                row.id,
                actor,
                HistoryEntry {
                    kind: HistoryKind::Anonymised,
                    from: None,
                    to: None,
                    reason: None,
                    visibility: Visibility::Public,
                    detail: None,
                },
                now,
            )
            .await?;
            let mut look = look.clone();
            look.ticket = Some(*number);
            write_look(&txn, &look, now).await?;
        }
        txn.commit().await?;
        Ok(Anonymised::Done {
            tickets: numbers,
            files_purged,
        })
    }
}
