//! The RA console's sessions: who signed in, with which roles and language, until when.
//! The cookie's token never reaches the table, only its SHA-256: a copy of the database
//! signs nobody in.

use certdesk_domain::lifecycle::{Actor, Role};
use certdesk_domain::{Language, Nip};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::decode::{decode, nip};
use crate::entities::{console_preferences, console_sessions, console_sign_ins};
use crate::{Store, StoreError};

/// A live session, as the console's pages need it.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub actor: Actor,
    pub language: Language,
    /// The token every form of this session carries.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// A sign-in through the SSO between the redirect to the provider and its answer.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub nonce: String,
    /// The PKCE code verifier: only the desk knows it, so a stolen code is worthless.
    pub verifier: String,
    pub expires_at: DateTime<Utc>,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Records a session opened with `token` (the cookie's value).
    pub async fn open_console_session(
        &self,
        token: &str,
        session: &ConsoleSession,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Expired sessions of anyone go when someone signs in: the table stays small
        // without a sweeper.
        console_sessions::Entity::delete_many()
            .filter(console_sessions::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        console_sessions::ActiveModel {
            token_hash: Set(token_hash(token)),
            nip: Set(session.actor.nip.as_str().to_owned()),
            roles: Set({
                // Each role once: a token may repeat one.
                let mut codes: Vec<&str> = session.actor.roles.iter().map(|r| r.code()).collect();
                codes.sort_unstable();
                codes.dedup();
                codes.join(",")
            }),
            language: Set(session.language.code().to_owned()),
            csrf: Set(session.csrf.clone()),
            created_at: Set(now),
            expires_at: Set(session.expires_at),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The session `token` opened, while it lasts.
    pub async fn console_session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ConsoleSession>, StoreError> {
        let Some(row) = console_sessions::Entity::find_by_id(token_hash(token))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if row.expires_at <= now {
            return Ok(None);
        }
        let roles = row
            .roles
            .split(',')
            .filter(|code| !code.is_empty())
            .map(|code| decode("session role", code, Role::from_code))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ConsoleSession {
            actor: Actor {
                nip: nip("session NIP", &row.nip)?,
                roles,
            },
            language: decode("console language", &row.language, Language::from_code)?,
            csrf: row.csrf,
            expires_at: row.expires_at,
        }))
    }

    /// The language `nip` chose for the console, if they ever did.
    pub async fn console_language(&self, nip: &Nip) -> Result<Option<Language>, StoreError> {
        console_preferences::Entity::find_by_id(nip.as_str().to_owned())
            .one(&self.db)
            .await?
            .map(|row| decode("console language", &row.language, Language::from_code))
            .transpose()
    }

    /// The language the session's pages are written in, from now on, and remembered for
    /// the person's next sessions.
    pub async fn set_console_language(
        &self,
        token: &str,
        nip: &Nip,
        language: Language,
    ) -> Result<(), StoreError> {
        console_preferences::Entity::insert(console_preferences::ActiveModel {
            nip: Set(nip.as_str().to_owned()),
            language: Set(language.code().to_owned()),
        })
        .on_conflict(
            OnConflict::column(console_preferences::Column::Nip)
                .update_column(console_preferences::Column::Language)
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        console_sessions::Entity::update_many()
            .col_expr(
                console_sessions::Column::Language,
                sea_orm::sea_query::Expr::value(language.code()),
            )
            .filter(console_sessions::Column::TokenHash.eq(token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A sign-in through the SSO, waiting for the provider to send the person back with
    /// `state`: what the callback needs to finish it.
    pub async fn begin_console_sign_in(
        &self,
        state: &str,
        pending: &PendingSignIn,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        console_sign_ins::Entity::delete_many()
            .filter(console_sign_ins::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        console_sign_ins::ActiveModel {
            state_hash: Set(token_hash(state)),
            nonce: Set(pending.nonce.clone()),
            verifier: Set(pending.verifier.clone()),
            expires_at: Set(pending.expires_at),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The sign-in `state` began, taken (a state is good once) while it lasts.
    pub async fn take_console_sign_in(
        &self,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let hash = token_hash(state);
        let Some(row) = console_sign_ins::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let taken = console_sign_ins::Entity::delete_by_id(hash)
            .exec(&self.db)
            .await?
            .rows_affected;
        // Two callbacks with the same state at once: only the one that deleted it goes on.
        if taken == 0 || row.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(PendingSignIn {
            nonce: row.nonce,
            verifier: row.verifier,
            expires_at: row.expires_at,
        }))
    }

    /// Signing out: the token opens nothing any more.
    pub async fn end_console_session(&self, token: &str) -> Result<(), StoreError> {
        console_sessions::Entity::delete_by_id(token_hash(token))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
