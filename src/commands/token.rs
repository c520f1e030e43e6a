//! `certdesk token …`: local JWTs for trying the API, and integrators' API tokens.

use std::time::Duration;

use anyhow::Context;
use certdesk_api::auth::{self, LocalKey};
use certdesk_api::settings::AuthSettings;
use certdesk_domain::Nip;
use certdesk_domain::lifecycle::Role;
use certdesk_store::StoreSettings;
use clap::Subcommand;

use crate::open_migrated_store;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a JWT signed with the local key (auth.local_key_file), for trying the API.
    Issue {
        /// The person's NIP (the token's `sub`).
        #[arg(long)]
        nip: String,
        /// requester, officer, agent or supervisor; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// How long the token is valid, in hours.
        #[arg(long, default_value_t = 8)]
        hours: u64,
    },
    /// Create an API token for an integrator; it is printed once and stored hashed.
    Create {
        #[arg(long)]
        name: String,
        /// tickets:write (file tickets for anyone), tickets:read (read any ticket).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// List API tokens (never their secrets).
    List,
    /// Revoke an API token by name.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

pub async fn run(
    auth: &AuthSettings,
    store_settings: &StoreSettings,
    command: TokenCommand,
) -> anyhow::Result<()> {
    match command {
        TokenCommand::Issue { nip, roles, hours } => {
            let nip = Nip::parse(&nip).map_err(|e| anyhow::anyhow!("--nip: {e}"))?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::from_code(r).ok_or_else(|| {
                        anyhow::anyhow!("unknown role {r:?}: requester, officer, agent, supervisor")
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            anyhow::ensure!(
                auth.jwks_url.is_none() || auth.allow_local_tokens,
                "local tokens are off while auth.jwks_url is set (tokens come from the SSO)"
            );
            let path = auth
                .local_key_file
                .as_deref()
                .context("auth.local_key_file is not set: tokens come from the SSO provider")?;
            let key = LocalKey::load_or_create(path)?;
            println!(
                "{}",
                key.mint(
                    auth,
                    nip.as_str(),
                    &roles,
                    Duration::from_secs(hours * 3600)
                )?
            );
        }
        TokenCommand::Create { name, scopes } => {
            for scope in &scopes {
                anyhow::ensure!(
                    auth::scope::ALL.contains(&scope.as_str()),
                    "unknown scope {scope:?}: {}",
                    auth::scope::ALL.join(", ")
                );
            }
            let store = open_migrated_store(store_settings).await?;
            let created = store.create_api_token(&name, &scopes).await?;
            eprintln!(
                "API token {name:?} created with scopes {}. It is shown once; store it now:",
                scopes.join(" ")
            );
            println!("{}", created.secret);
        }
        TokenCommand::List => {
            let store = open_migrated_store(store_settings).await?;
            for token in store.api_tokens().await? {
                let state = if token.revoked { "revoked" } else { "active" };
                println!(
                    "{}\t{}\t{}\t{}",
                    token.name,
                    token.scopes.join(" "),
                    token.created_at.to_rfc3339(),
                    state
                );
            }
        }
        TokenCommand::Revoke { name } => {
            let store = open_migrated_store(store_settings).await?;
            anyhow::ensure!(
                store.revoke_api_token(&name).await?,
                "no active API token named {name:?}"
            );
            println!("revoked {name:?}");
        }
    }
    Ok(())
}
