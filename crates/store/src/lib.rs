//! certdesk-store: persistence for certdesk. sea-orm over PostgreSQL (production) or
//! SQLite (the embedded default), and attachment bytes behind `object_store`.
//!
//! Invariants of this crate:
//! - SQL lives here and nowhere else; callers speak domain types and `records`.
//! - Stored strings become domain types at this crate's edge (`decode.rs` for codes and
//!   NIPs, the domain's own readers for directory entries and routing rules); a value
//!   that no longer reads is an error naming what it was, or, for what supervisors keep,
//!   an entry flagged with its problems, never a string handed up to be parsed again.
//! - A ticket, its attachment rows and its first event commit in one transaction, after
//!   the attachment files are durably written; a failure leaves no ticket behind.
//! - Entities never leave the crate.
//!
//! This file is the facade: the rooms, and what each hands out. `Store` (the handle,
//! `store.rs`) gains its methods room by room:
//! - tickets: filing and reading (`tickets.rs`), changes after intake (`lifecycle.rs`),
//!   the history (`history.rs`), lists and queue counts (`lists.rs`), idempotent
//!   filing (`idempotency.rs`);
//! - the desk's data: the directories (`directory.rs`), the routing rules (`routing.rs`);
//! - what runs on a clock: the outbox (`outbox/`), deadlines (`deadlines.rs`), retention
//!   (`retention.rs`), auto-reply budgets (`auto_replies.rs`);
//! - personal data: files and NIKs sealed (`files.rs`, `sealing/`, `blobs.rs`), the
//!   audit (`audit.rs`), data subjects (`subjects.rs`);
//! - access: API tokens (`tokens.rs`), console sessions (`console_sessions.rs`), the
//!   database roles (`privileges.rs`).

mod audit;
mod auto_replies;
mod blobs;
mod clocks;
mod console_sessions;
mod deadlines;
mod decode;
mod directory;
mod entities;
mod error;
mod files;
mod history;
mod idempotency;
mod lifecycle;
mod lists;
mod outbox;
mod privileges;
pub mod records;
mod retention;
mod routing;
pub mod sealing;
mod settings;
mod store;
mod subjects;
mod tickets;
mod tokens;

pub use audit::{AuditFilter, AuditOrder, LookRecord, NewLook};
pub use blobs::{BlobStore, ContentAddress, FileStream};
pub use console_sessions::{ConsoleSession, PendingSignIn};
pub use deadlines::TimerReport;
pub use directory::{ImportReport, KeptDirectory};
pub use error::StoreError;
pub use files::KeyUse;
pub use outbox::{
    DeadLetter, Delivery, Leased, OUTBOX_CHANNEL, OutboxListener, OutboxMessage, OutboxStats,
};
pub use records::{
    AttachmentRecord, AuthorityRecord, CreatedTicket, HistoryActor, HistoryRecord, Idempotency,
    NewAttachment, NewTicket, PageCursor, RememberedResponse, SlaFilter, TicketFilter, TicketOrder,
    TicketRecord, TicketSummary,
};
pub use retention::PurgeReport;
pub use settings::{
    DatabaseSettings, EncryptionSettings, StorageSettings, StoreSettings, redact_url,
};
pub use store::Store;
pub use subjects::{
    ANONYMISED_EMAIL, ANONYMISED_NAME, ANONYMISED_NIK, Anonymised, EmailRecord, SubjectTicket,
};
pub use tokens::{ApiTokenRecord, NewApiToken};
