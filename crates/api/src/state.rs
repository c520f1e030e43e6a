//! What every handler shares: the store, the desk's rules and the rule data loaded at
//! start, and the budgets that keep intake's memory bounded.

use std::sync::Arc;

use certdesk_domain::service_level::ServiceLevels;
use certdesk_domain::{AttachmentPolicy, DeskRules, IntakeRules, UnitCatalogue};
use certdesk_store::Store;
use tokio::sync::Semaphore;

use crate::pdf_reader::PdfReader;
use crate::settings::{IdempotencySettings, LimitSettings};

pub struct AppState {
    pub store: Store,
    /// The desk's rules, from configuration: mail domains, the lifecycle (with the
    /// default queue), the clocks, retention.
    pub rules: DeskRules,
    /// The service levels' targets, and the working calendar they count in (the rules of
    /// `[calendar]` and the years of days off).
    pub service_levels: ServiceLevels,
    /// Loaded from the `units` table at start; a change to the table needs a restart.
    pub units: UnitCatalogue,
    pub attachments: AttachmentPolicy,
    pub limits: LimitSettings,
    pub idempotency: IdempotencySettings,
    /// Bytes of uploads in flight, a permit per KiB: `limits.uploads_in_flight_bytes`.
    pub uploads: Arc<Semaphore>,
    /// Images being decoded and PDFs being read at once: `limits.concurrent_decodes`.
    pub decoding: Arc<Semaphore>,
    pub pdf_reader: PdfReader,
}

/// Upload budgets are counted in KiB, so that a permit count fits any sane budget.
pub const UPLOAD_PERMIT_BYTES: u64 = 1024;

impl AppState {
    /// What a ticket's fields and a directory entry are checked against.
    pub fn intake_rules(&self) -> IntakeRules<'_> {
        self.rules.intake(&self.units)
    }
}
