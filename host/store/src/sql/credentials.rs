//! SQL for [`crate::CredentialStore`].

/// Implements [`crate::CredentialStore`] for a backend.
macro_rules! impl_credential_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CredentialStore for $store {
            async fn record_refresh_token(
                &self,
                token: &attune_domain::credential::NewRefreshToken,
            ) -> $crate::StoreResult<attune_domain::credential::RefreshToken> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO refresh_token (jti, identity, expires_at, created, updated) \
                     VALUES ($1, $2, $3, $4, $4) RETURNING *",
                )
                .bind(&token.jti)
                .bind(token.identity)
                .bind(token.expires_at)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn use_refresh_token(&self, jti: &str) -> $crate::StoreResult<attune_domain::credential::RefreshUse> {
                let changing = self.changing();
                use attune_domain::credential::{RefreshToken, RefreshUse};
                let now = $crate::sql::now();
                // One conditional update: two concurrent uses cannot both consume it.
                let consumed: Option<RefreshToken> = sqlx::query_as(
                    "UPDATE refresh_token SET used = $1, updated = $1 WHERE jti = $2 AND used IS NULL \
                     AND revoked IS NULL AND expires_at > $1 RETURNING *",
                )
                .bind(now)
                .bind(jti)
                .fetch_optional(self.write_pool(&changing))
                .await?;
                if let Some(token) = consumed {
                    return Ok(RefreshUse::Consumed(token));
                }
                let found: Option<RefreshToken> = sqlx::query_as("SELECT * FROM refresh_token WHERE jti = $1")
                    .bind(jti)
                    .fetch_optional(self.write_pool(&changing))
                    .await?;
                Ok(match found {
                    None => RefreshUse::Unknown,
                    Some(token) if token.used.is_some() => RefreshUse::Reused(token),
                    Some(_) => RefreshUse::Invalid,
                })
            }

            async fn revoke_refresh_tokens(&self, identity: attune_domain::Id) -> $crate::StoreResult<u64> {
                let changing = self.changing();
                let done = sqlx::query(
                    "UPDATE refresh_token SET revoked = $1, updated = $1 WHERE identity = $2 AND revoked IS NULL",
                )
                .bind($crate::sql::now())
                .bind(identity)
                .execute(self.write_pool(&changing))
                .await?;
                Ok(done.rows_affected())
            }

            async fn revoke_credentials(&self, identity: attune_domain::Id) -> $crate::StoreResult<i64> {
                let changing = self.changing();
                let now = $crate::sql::now();
                let mut tx = self.write_pool(&changing).begin().await?;
                let generation: Option<i64> = sqlx::query_scalar(
                    "UPDATE identity SET token_generation = token_generation + 1, updated = $1 WHERE id = $2 \
                     RETURNING token_generation",
                )
                .bind(now)
                .bind(identity)
                .fetch_optional(&mut *tx)
                .await?;
                let generation = generation.ok_or_else(|| $crate::StoreError::not_found("identity", identity))?;
                sqlx::query(
                    "UPDATE refresh_token SET revoked = $1, updated = $1 WHERE identity = $2 AND revoked IS NULL",
                )
                .bind(now)
                .bind(identity)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM api_key WHERE identity = $1").bind(identity).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(generation)
            }

            async fn purge_expired_refresh_tokens(&self) -> $crate::StoreResult<u64> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM refresh_token WHERE expires_at <= $1")
                    .bind($crate::sql::now())
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(done.rows_affected())
            }

            async fn create_api_key(
                &self,
                key: &attune_domain::credential::NewApiKey,
            ) -> $crate::StoreResult<attune_domain::credential::ApiKey> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO api_key (identity, name, prefix, key_hash, expires_at, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *",
                )
                .bind(key.identity)
                .bind(&key.name)
                .bind(&key.prefix)
                .bind(&key.key_hash)
                .bind(key.expires_at)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_api_key_by_hash(
                &self,
                key_hash: &str,
            ) -> $crate::StoreResult<attune_domain::credential::ApiKey> {
                // The digest is not an identifier to show: a miss names no key.
                sqlx::query_as("SELECT * FROM api_key WHERE key_hash = $1")
                    .bind(key_hash)
                    .fetch_optional(self.read_pool())
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("API key", "(by digest)"))
            }

            async fn list_api_keys(
                &self,
                identity: attune_domain::Id,
            ) -> $crate::StoreResult<Vec<attune_domain::credential::ApiKey>> {
                Ok(sqlx::query_as("SELECT * FROM api_key WHERE identity = $1 ORDER BY id")
                    .bind(identity)
                    .fetch_all(self.read_pool())
                    .await?)
            }

            async fn touch_api_key(
                &self,
                id: attune_domain::Id,
                at: attune_domain::Timestamp,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                // Usage is not a change of the key: `updated` stays.
                sqlx::query("UPDATE api_key SET last_used = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(())
            }

            async fn delete_api_key(
                &self,
                identity: attune_domain::Id,
                id: attune_domain::Id,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM api_key WHERE identity = $1 AND id = $2")
                    .bind(identity)
                    .bind(id)
                    .execute(self.write_pool(&changing))
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("API key", id));
                }
                Ok(())
            }
        }
    };
}
pub(crate) use impl_credential_store;
