//! What every handler shares: the store and the rule data loaded at start.

use certdesk_domain::{AttachmentPolicy, EmailDomains, IntakeRules, UnitCatalogue};
use certdesk_store::Store;

use crate::auth::SharedAuthenticator;
use crate::config::{IdempotencySettings, LifecycleSettings, LimitSettings};

pub struct AppState {
    pub auth: SharedAuthenticator,
    pub lifecycle: LifecycleSettings,
    pub store: Store,
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
