//! `certdesk demo`: a newcomer's way in. Loads the synthetic officers and RA staff of
//! `samples/` and prints a token for a person in each role, as shell `export` lines:
//!
//! ```sh
//! eval "$(certdesk demo)"
//! curl -H "Authorization: Bearer $AGENT" http://127.0.0.1:8080/api/v1/queues
//! ```
//!
//! Everything it loads is made up; it works on the embedded default (local tokens) only.

use std::time::Duration;

use anyhow::Context;
use certdesk_api::auth::LocalKey;
use certdesk_api::settings::AuthSettings;
use certdesk_domain::DeskRules;
use certdesk_domain::lifecycle::Role;
use certdesk_store::StoreSettings;

use certdesk_domain::Officer;
use certdesk_domain::staff::StaffMember;

use super::directory::import_csv;
use crate::open_migrated_store;

/// The sample directories, compiled in so that the command works from any folder.
const SAMPLE_OFFICERS: &str = include_str!("../../samples/officers.csv");
const SAMPLE_STAFF: &str = include_str!("../../samples/staff.csv");

/// The synthetic people of the samples, one per role: (shell variable, role, NIP). The
/// requester is the one `samples/ticket-15.1.json` files for; the officer is the one it
/// names.
const PEOPLE: [(&str, Role, &str); 4] = [
    ("REQUESTER", Role::Requester, "199005172015031001"),
    ("OFFICER", Role::Officer, "197501012000031002"),
    ("AGENT", Role::Agent, "198501012010011001"),
    ("SUPERVISOR", Role::Supervisor, "197001011995031003"),
];

pub async fn run(
    auth: &AuthSettings,
    rules: &DeskRules,
    store_settings: &StoreSettings,
    hours: u64,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        auth.jwks_url.is_none() || auth.allow_local_tokens,
        "the demo mints local tokens, which are off while auth.jwks_url is set (tokens come from the SSO)"
    );
    let path = auth
        .local_key_file
        .as_deref()
        .context("auth.local_key_file is not set: tokens come from the SSO provider")?;
    let key = LocalKey::load_or_create(path)?;
    let store = open_migrated_store(store_settings).await?;
    let report = import_csv::<Officer>(rules, &store, SAMPLE_OFFICERS.as_bytes()).await?;
    eprintln!("Sample officers: {report}.");
    let report = import_csv::<StaffMember>(rules, &store, SAMPLE_STAFF.as_bytes()).await?;
    eprintln!("Sample RA staff: {report}.");
    eprintln!("Tokens for synthetic people, valid {hours} hours (eval this output to set them):");
    for (variable, role, nip) in PEOPLE {
        let token = key.mint(auth, nip, &[role], Duration::from_secs(hours * 3600))?;
        eprintln!("  ${variable:<10} {} NIP {nip}", role.code());
        println!("export {variable}={token}");
    }
    Ok(())
}
