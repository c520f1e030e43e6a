//! What every handler shares: the store, and the rules and rule data loaded at start.

use certdesk_domain::lifecycle::LifecycleRules;
use certdesk_domain::routing::QueueName;
use certdesk_domain::{AttachmentPolicy, EmailDomains, IntakeRules, UnitCatalogue};
use std::sync::Arc;

use certdesk_store::Store;
use tokio::sync::Semaphore;

use crate::config::{IdempotencySettings, LimitSettings};
use crate::pdf_reader::PdfReader;

pub struct AppState {
    pub store: Store,
    pub lifecycle: LifecycleRules,
    /// Where tickets no routing rule matches go.
    pub default_queue: QueueName,
    /// Loaded from the `units` table at start; a change to the table needs a restart.
    pub units: UnitCatalogue,
    pub email_domains: EmailDomains,
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
    pub fn intake_rules(&self) -> IntakeRules<'_> {
        IntakeRules {
            units: &self.units,
            email_domains: &self.email_domains,
        }
    }
}
