//! What every handler shares: the store, and the rules and rule data loaded at start.

use certdesk_domain::lifecycle::LifecycleRules;
use certdesk_domain::routing::QueueName;
use certdesk_domain::{AttachmentPolicy, EmailDomains, IntakeRules, UnitCatalogue};
use certdesk_store::Store;

use crate::config::{IdempotencySettings, LimitSettings};

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
}

impl AppState {
    pub fn intake_rules(&self) -> IntakeRules<'_> {
        IntakeRules {
            units: &self.units,
            email_domains: &self.email_domains,
        }
    }
}
