//! What the layers below say, as HTTP answers: the store's errors and the lifecycle's
//! refusals, each mapped in one place.

use certdesk_domain::Message;
use certdesk_domain::lifecycle::{Refusal, WhoMay};
use certdesk_store::StoreError;

use super::{ApiError, ErrorCode, Missing};

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // Every pooled connection busy for the whole acquire timeout: overload, not a
            // bug; the client may retry.
            StoreError::Busy(reason) => {
                tracing::warn!(%reason, "no database connection available");
                Self::Unavailable
            }
            StoreError::OpenTicketExists(number) => Self::Conflict {
                code: ErrorCode::OpenTicketExists,
                message: Message::new(
                    format!(
                        "Anda masih memiliki tiket terbuka untuk layanan ini: {number}. Lanjutkan tiket itu atau batalkan dulu."
                    ),
                    format!(
                        "You already have an open ticket for this service: {number}. Continue that one or cancel it first."
                    ),
                ),
            },
            StoreError::IdempotencyKeyTaken => Self::Conflict {
                code: ErrorCode::IdempotencyKeyInUse,
                message: Message::new(
                    "Permintaan lain dengan `Idempotency-Key` yang sama sedang diproses. Ulangi sebentar lagi.",
                    "Another request with the same `Idempotency-Key` is in progress. Retry shortly.",
                ),
            },
            StoreError::Stale { current } => Self::PreconditionFailed { current },
            StoreError::TicketNotFound => Self::NotFound(Missing::Ticket),
            StoreError::Purged => Self::Purged,
            StoreError::SubjectHasOpenTickets(open) => {
                let numbers = open
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                Self::Conflict {
                    code: ErrorCode::DataSubjectHasOpenTickets,
                    message: Message::new(
                        format!(
                            "Tiket orang ini belum semuanya selesai ({numbers}); anonimisasi menunggu sampai tiket itu ditutup, ditolak atau dibatalkan."
                        ),
                        format!(
                            "Not all of this person's tickets have ended ({numbers}); anonymisation waits until they are closed, rejected or cancelled."
                        ),
                    ),
                }
            }
            // Sealed bytes that do not open were changed where they rest: refused whole,
            // named for the operator, never sent half-read.
            StoreError::Integrity(failure) => {
                tracing::error!(%failure, "integrity failure: stored data did not open, refused");
                Self::Internal(anyhow::Error::new(failure))
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

/// The one place a refusal of the lifecycle's rules becomes an HTTP answer.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotAllowedInState { status, action } => Self::Conflict {
                code: ErrorCode::ActionNotAllowed,
                message: Message::new(
                    format!(
                        "Tindakan `{}` tidak dapat dilakukan saat tiket berstatus `{}`.",
                        action.code(),
                        status.code()
                    ),
                    format!(
                        "The action `{}` is not possible while the ticket is `{}`.",
                        action.code(),
                        status.code()
                    ),
                ),
            },
            Refusal::NotPermitted { action, who_may } => {
                let who = match who_may {
                    WhoMay::Requester => ("pemohon tiket", "the ticket's requester"),
                    WhoMay::ResponsibleOfficer => {
                        ("penanggung jawab tiket", "the ticket's responsible officer")
                    }
                    WhoMay::AnyAgent => ("petugas RA", "an RA agent"),
                    WhoMay::AssignedAgent => (
                        "petugas RA yang menangani tiket",
                        "the RA agent assigned to the ticket",
                    ),
                    WhoMay::Supervisor => ("supervisor", "a supervisor"),
                    WhoMay::RequesterOrAssignedAgent => (
                        "pemohon atau petugas yang menangani tiket",
                        "the requester or the assigned agent",
                    ),
                };
                Self::Forbidden {
                    code: ErrorCode::NotPermitted,
                    message: Message::new(
                        format!(
                            "Tindakan `{}` hanya dapat dilakukan oleh {}.",
                            action.code(),
                            who.0
                        ),
                        format!("Only {} may take the action `{}`.", who.1, action.code()),
                    ),
                }
            }
            Refusal::AlreadyClaimed => Self::Conflict {
                code: ErrorCode::AlreadyClaimed,
                message: Message::new(
                    "Tiket sudah diambil petugas lain.",
                    "Another agent has already claimed this ticket.",
                ),
            },
            Refusal::Invalid {
                field,
                code,
                message,
            } => Self::invalid(field, code, message),
            Refusal::OwnTicket => Self::Forbidden {
                code: ErrorCode::OwnTicket,
                message: Message::new(
                    "Petugas tidak dapat menangani tiket yang diajukannya sendiri.",
                    "An agent cannot handle a ticket they filed themself.",
                ),
            },
            Refusal::ReopenWindowPassed => Self::Conflict {
                code: ErrorCode::ReopenWindowPassed,
                message: Message::new(
                    "Batas waktu membuka kembali tiket sudah lewat; ajukan tiket baru.",
                    "The time to reopen this ticket has passed; file a new ticket.",
                ),
            },
            Refusal::CommentNotPermitted => Self::Forbidden {
                code: ErrorCode::CommentNotPermitted,
                message: Message::new(
                    "Komentar internal hanya untuk petugas RA.",
                    "Internal comments are for RA staff only.",
                ),
            },
        }
    }
}
