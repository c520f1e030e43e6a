//! What the layers below say, as rows of the table: the store's errors and the
//! lifecycle's refusals, each mapped in one place.

use certdesk_domain::Problem;
use certdesk_domain::lifecycle::Refusal;
use certdesk_store::StoreError;

use super::ApiError;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // Every pooled connection busy for the whole acquire timeout: overload, not a
            // bug; the client may retry.
            StoreError::Busy(reason) => {
                tracing::warn!(%reason, "no database connection available");
                Self::Unavailable
            }
            StoreError::OpenTicketExists(number) => Self::OpenTicketExists { number },
            StoreError::IdempotencyKeyTaken => Self::IdempotencyKeyInUse,
            StoreError::Stale { current } => Self::StaleVersion { current },
            StoreError::TicketNotFound => Self::TicketNotFound,
            StoreError::Purged => Self::AttachmentPurged,
            StoreError::CursorOfAnotherOrder => crate::routes::paging::invalid_cursor(),
            StoreError::SubjectHasOpenTickets(open) => Self::DataSubjectHasOpenTickets { open },
            // Sealed bytes that do not open were changed where they rest: refused whole,
            // named for the operator, never sent half-read.
            StoreError::Integrity(failure) => {
                tracing::error!(%failure, "integrity failure: stored data did not open, refused");
                Self::internal(failure)
            }
            other => Self::internal(other),
        }
    }
}

/// The one place a refusal of the lifecycle's rules becomes an HTTP answer.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotAllowedInState { status, action } => {
                Self::ActionNotAllowed { action, status }
            }
            Refusal::NotPermitted { action, who_may } => {
                Self::ActionNotPermitted { action, who_may }
            }
            Refusal::AlreadyClaimed => Self::AlreadyClaimed,
            Refusal::Invalid {
                field,
                code,
                message,
            } => Self::rejected(vec![Problem::new(field, code, message)]),
            Refusal::OwnTicket => Self::OwnTicket,
            Refusal::ReopenWindowPassed => Self::ReopenWindowPassed,
            Refusal::CommentNotPermitted => Self::CommentNotPermitted,
        }
    }
}
