//! Retention passes: files and NIKs of ended tickets deleted once their periods (the
//! domain's `RetentionPolicy`) are over. Each purge commits with its history entry; a
//! file's key is forgotten in that transaction, so it is unreadable from the commit on,
//! and its bytes are deleted after. Any number of workers may run a pass at once: a row
//! is purged, and its entry written, only by the one whose update changed it.

use certdesk_domain::AttachmentKind;
use certdesk_domain::lifecycle::{Capacity, HistoryKind, Visibility};
use certdesk_domain::retention::RetentionPolicy;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement};

use crate::entities::tickets;
use crate::files::mark_purged;
use crate::history::{HistoryEntry, write_history};
use crate::records::HistoryActor;
use crate::{Store, StoreError};

/// Rows handled per query: a pass over a large backlog never holds much at once.
const BATCH: u64 = 200;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    pub files: u64,
    pub niks: u64,
}

/// The desk, as the actor of its own rules in a ticket's history.
fn desk() -> HistoryActor {
    HistoryActor {
        id: "desk".to_owned(),
        capacity: Capacity::Desk,
    }
}

impl Store {
    /// Purges every file and erases every NIK that `policy` says is due at `now`.
    pub async fn purge_due(
        &self,
        policy: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport, StoreError> {
        let mut report = PurgeReport::default();
        for kind in AttachmentKind::ALL {
            let cutoff = policy.file_cutoff(kind, now);
            loop {
                let due = self.files_due(kind, cutoff).await?;
                if due.is_empty() {
                    break;
                }
                for (ticket_id, file_id) in due {
                    if self.purge_file(ticket_id, kind, &file_id, now).await? {
                        report.files += 1;
                    }
                }
            }
        }
        let cutoff = policy.nik_cutoff(now);
        loop {
            let due: Vec<i64> = tickets::Entity::find()
                .select_only()
                .column(tickets::Column::Id)
                .filter(tickets::Column::EndedAt.lte(cutoff))
                .filter(tickets::Column::NikSealed.is_not_null())
                .limit(BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            if due.is_empty() {
                break;
            }
            for ticket_id in due {
                if self.erase_nik(ticket_id, now).await? {
                    report.niks += 1;
                }
            }
        }
        if report.files + report.niks > 0 {
            tracing::info!(
                files = report.files,
                niks = report.niks,
                "retention: purged what had been kept long enough"
            );
        }
        Ok(report)
    }

    /// `(ticket, file)` of not-yet-purged files of `kind` on tickets ended by `cutoff`.
    async fn files_due(
        &self,
        kind: AttachmentKind,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let backend = self.db.get_database_backend();
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT a.ticket_id, a.file_id FROM ticket_attachments a \
                     JOIN tickets t ON t.id = a.ticket_id \
                     JOIN stored_files f ON f.id = a.file_id \
                     WHERE a.kind = $1 AND t.ended_at IS NOT NULL AND t.ended_at <= $2 \
                     AND f.purged_at IS NULL LIMIT {BATCH}"
                ),
                [kind.code().into(), cutoff.into()],
            ))
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok((
                    row.try_get::<i64>("", "ticket_id")?,
                    row.try_get::<String>("", "file_id")?,
                ))
            })
            .collect()
    }

    pub(crate) async fn purge_file(
        &self,
        ticket_id: i64,
        kind: AttachmentKind,
        file_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        if !mark_purged(&txn, file_id, now).await? {
            // Another pass got here first.
            return Ok(false);
        }
        write_history(
            &txn,
            ticket_id,
            &desk(),
            HistoryEntry {
                kind: HistoryKind::AttachmentPurged,
                from: None,
                to: None,
                reason: None,
                visibility: Visibility::Public,
                detail: Some(serde_json::json!({ "attachment": kind.code() })),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.delete_file(file_id).await;
        Ok(true)
    }

    async fn erase_nik(&self, ticket_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let erased = tickets::Entity::update_many()
            .col_expr(
                tickets::Column::NikSealed,
                Expr::value(Option::<Vec<u8>>::None),
            )
            .col_expr(
                tickets::Column::NikKeyId,
                Expr::value(Option::<String>::None),
            )
            .col_expr(tickets::Column::NikErasedAt, Expr::value(Some(now)))
            .filter(tickets::Column::Id.eq(ticket_id))
            .filter(tickets::Column::NikSealed.is_not_null())
            .exec(&txn)
            .await?;
        if erased.rows_affected != 1 {
            return Ok(false);
        }
        write_history(
            &txn,
            ticket_id,
            &desk(),
            HistoryEntry {
                kind: HistoryKind::NikErased,
                from: None,
                to: None,
                reason: None,
                visibility: Visibility::Public,
                detail: None,
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }
}
