//! SQL for [`crate::KeyStore`].

/// Implements [`crate::KeyStore`] for a backend.
macro_rules! impl_key_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::KeyStore for $store {
            async fn put_key(&self, key: &attune_domain::key::NewKey) -> $crate::StoreResult<attune_domain::key::Key> {
                let changing = self.changing();
                use attune_domain::key::KeyOwner;
                let (identity, pack, action, sensor) = match &key.owner {
                    KeyOwner::System => (None, None, None, None),
                    KeyOwner::Identity { id, .. } => (Some(*id), None, None, None),
                    KeyOwner::Pack { id, .. } => (None, Some(*id), None, None),
                    KeyOwner::Action { id, .. } => (None, None, Some(*id), None),
                    KeyOwner::Sensor { id, .. } => (None, None, None, Some(*id)),
                };
                Ok(sqlx::query_as(
                    "INSERT INTO datastore_key (ref, owner_type, owner, owner_identity, owner_pack, owner_action, \
                     owner_sensor, name, encrypted, encryption_key_hash, value, expires_at, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                     ON CONFLICT (owner_type, owner, name) DO UPDATE SET encrypted = excluded.encrypted, \
                     encryption_key_hash = excluded.encryption_key_hash, value = excluded.value, \
                     expires_at = excluded.expires_at, updated = excluded.updated RETURNING *",
                )
                .bind(key.owner.key_ref(&key.name))
                .bind(key.owner.owner_type())
                .bind(key.owner.name())
                .bind(identity)
                .bind(pack)
                .bind(action)
                .bind(sensor)
                .bind(&key.name)
                .bind(key.encrypted)
                .bind(&key.encryption_key_hash)
                .bind(&key.value)
                .bind(key.expires_at)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_key(
                &self,
                owner_type: attune_domain::status::KeyOwnerType,
                owner: &str,
                name: &str,
            ) -> $crate::StoreResult<attune_domain::key::Key> {
                sqlx::query_as(
                    "SELECT * FROM datastore_key WHERE owner_type = $1 AND owner = $2 AND name = $3 \
                     AND (expires_at IS NULL OR expires_at > $4)",
                )
                .bind(owner_type)
                .bind(owner)
                .bind(name)
                .bind($crate::sql::now())
                .fetch_optional(self.read_pool())
                .await?
                .ok_or_else(|| $crate::StoreError::not_found("key", name))
            }

            async fn list_keys(
                &self,
                filter: &$crate::KeyFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::key::Key>> {
                let now = $crate::sql::now();
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::key::Key,
                    "datastore_key",
                    "ref, id",
                    page,
                    |qb| {
                        qb.push(" AND (expires_at IS NULL OR expires_at > ").push_bind(now).push(")");
                        if let Some(t) = filter.owner_type {
                            qb.push(" AND owner_type = ").push_bind(t);
                        }
                        if let Some(o) = &filter.owner {
                            qb.push(" AND owner = ").push_bind(o.clone());
                        }
                        if let Some(p) = &filter.prefix {
                            // Compare the leading characters rather than LIKE, whose wildcards
                            // would have to be escaped in user input.
                            qb.push(" AND SUBSTR(name, 1, ")
                                .push_bind(p.chars().count() as i32)
                                .push(") = ")
                                .push_bind(p.clone());
                        }
                    }
                ))
            }

            async fn delete_key(
                &self,
                owner_type: attune_domain::status::KeyOwnerType,
                owner: &str,
                name: &str,
            ) -> $crate::StoreResult<bool> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM datastore_key WHERE owner_type = $1 AND owner = $2 AND name = $3")
                    .bind(owner_type)
                    .bind(owner)
                    .bind(name)
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn purge_expired_keys(&self) -> $crate::StoreResult<u64> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM datastore_key WHERE expires_at IS NOT NULL AND expires_at <= $1")
                    .bind($crate::sql::now())
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(done.rows_affected())
            }

            async fn put_secret_binding(
                &self,
                binding: &attune_domain::key::NewSecretBinding,
            ) -> $crate::StoreResult<attune_domain::key::SecretBinding> {
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                let pack: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM pack WHERE ref = $1")
                    .bind(&binding.pack_ref)
                    .fetch_optional(&mut *tx)
                    .await?;
                let pack = pack.ok_or_else(|| $crate::StoreError::not_found("pack", &binding.pack_ref))?;
                let stored = sqlx::query_as(
                    "INSERT INTO secret_binding (pack, pack_ref, name, key_scope, key_owner, key_name, created_by, \
                     created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                     ON CONFLICT (pack, name) DO UPDATE SET key_scope = excluded.key_scope, \
                     key_owner = excluded.key_owner, key_name = excluded.key_name, \
                     created_by = excluded.created_by, updated = excluded.updated RETURNING *",
                )
                .bind(pack)
                .bind(&binding.pack_ref)
                .bind(&binding.name)
                .bind(binding.key_scope)
                .bind(&binding.key_owner)
                .bind(&binding.key_name)
                .bind(binding.created_by)
                .bind($crate::sql::now())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn find_secret_binding(
                &self,
                pack_ref: &str,
                name: &str,
            ) -> $crate::StoreResult<Option<attune_domain::key::SecretBinding>> {
                Ok(sqlx::query_as("SELECT * FROM secret_binding WHERE pack_ref = $1 AND name = $2")
                    .bind(pack_ref)
                    .bind(name)
                    .fetch_optional(self.read_pool())
                    .await?)
            }

            async fn list_secret_bindings(
                &self,
                pack_ref: &str,
            ) -> $crate::StoreResult<Vec<attune_domain::key::SecretBinding>> {
                Ok(sqlx::query_as("SELECT * FROM secret_binding WHERE pack_ref = $1 ORDER BY name")
                    .bind(pack_ref)
                    .fetch_all(self.read_pool())
                    .await?)
            }

            async fn delete_secret_binding(&self, pack_ref: &str, name: &str) -> $crate::StoreResult<bool> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM secret_binding WHERE pack_ref = $1 AND name = $2")
                    .bind(pack_ref)
                    .bind(name)
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(crate) use impl_key_store;
