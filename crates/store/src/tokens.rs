//! API tokens for integrators: random, shown once, stored as a SHA-256 hash, scoped,
//! revocable.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use crate::entities::api_tokens;
use crate::{Store, StoreError};

/// What a token may do, for the caller to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: uuid::Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub revoked: bool,
}

/// A token just created: `secret` is shown to the operator once and never again.
pub struct NewApiToken {
    pub record: ApiTokenRecord,
    pub secret: String,
}

const PREFIX: &str = "cdk_";

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    pub async fn create_api_token(
        &self,
        name: &str,
        scopes: &[String],
    ) -> Result<NewApiToken, StoreError> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)
            .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let secret = format!("{PREFIX}{}", hex::encode(random));
        let id = uuid::Uuid::new_v4();
        let now = Utc::now();
        api_tokens::Entity::insert(api_tokens::ActiveModel {
            id: Set(id),
            name: Set(name.to_owned()),
            token_hash: Set(hash(&secret)),
            scopes: Set(scopes.join(" ")),
            created_at: Set(now),
            revoked_at: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(NewApiToken {
            record: ApiTokenRecord {
                id,
                name: name.to_owned(),
                scopes: scopes.to_vec(),
                created_at: now,
                revoked: false,
            },
            secret,
        })
    }

    /// The live token with this secret, if any.
    pub async fn api_token(&self, secret: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        Ok(api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(hash(secret)))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
            .map(record))
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        Ok(api_tokens::Entity::find()
            .order_by_asc(api_tokens::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    /// Revokes by name; `false` if there was no live token of that name.
    pub async fn revoke_api_token(&self, name: &str) -> Result<bool, StoreError> {
        let result = api_tokens::Entity::update_many()
            .col_expr(
                api_tokens::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Some(Utc::now())),
            )
            .filter(api_tokens::Column::Name.eq(name))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }
}

fn record(model: api_tokens::Model) -> ApiTokenRecord {
    ApiTokenRecord {
        id: model.id,
        name: model.name,
        scopes: model.scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: model.created_at,
        revoked: model.revoked_at.is_some(),
    }
}
