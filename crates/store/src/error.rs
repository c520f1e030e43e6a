//! What can go wrong below the store's callers, as one enum: the database and the files
//! failing (busy, down, corrupt, changed under seal) and the few refusals that only the
//! data can decide (an open ticket already holds the slot, the ticket moved on, …).
//! Callers map it once: the API to problem+json, the worker to retry or give up.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(sea_orm::DbErr),
    /// Every pooled connection stayed busy for the whole acquire timeout: overload, not a
    /// fault; the caller may retry shortly.
    #[error("no database connection became free in time: {0}")]
    Busy(String),
    /// The database did not answer when the store was opened: where, and why, as far
    /// as can be told (the URL shown without its password).
    #[error("cannot reach the database at {0}")]
    Unreachable(String),
    #[error("blob storage: {0}")]
    Blob(String),
    /// The keys are missing, malformed, or not the ones that sealed the stored data.
    #[error("keys: {0}")]
    Keys(String),
    /// Stored data names a master key the configured keys do not hold.
    #[error("keys: the master key {0} is not in the configured keys")]
    UnknownKey(String),
    /// A sealed file or value does not open: changed on disk or in the database.
    #[error(transparent)]
    Integrity(#[from] crate::sealing::IntegrityError),
    /// A stored row no longer reads back as a valid domain value.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The requester already has an open ticket for this service and sub-type.
    #[error("an open ticket exists: {0}")]
    OpenTicketExists(certdesk_domain::TicketNumber),
    /// The ticket changed since the caller read it (its version is now `current`).
    #[error("the ticket is at version {current}")]
    Stale { current: i32 },
    #[error("no such ticket")]
    TicketNotFound,
    /// The person still has tickets that have not ended.
    #[error("the data subject has open tickets")]
    SubjectHasOpenTickets(Vec<certdesk_domain::TicketNumber>),
    /// The attachment's file was deleted by the retention rules; its description stays.
    #[error("the file was purged")]
    Purged,
    /// Another request under the same idempotency key got there first.
    #[error("the idempotency key is taken")]
    IdempotencyKeyTaken,
    /// A page cursor of a list in another order: it names no place in this one.
    #[error("the cursor is of a list in another order")]
    CursorOfAnotherOrder,
}

impl From<sea_orm::DbErr> for StoreError {
    fn from(error: sea_orm::DbErr) -> Self {
        match error {
            sea_orm::DbErr::ConnectionAcquire(reason) => Self::Busy(reason.to_string()),
            other => Self::Database(other),
        }
    }
}

/// Whether a statement failed on a unique constraint: a slot or a key another request
/// took meanwhile, which the caller answers for what it is.
pub(crate) fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
