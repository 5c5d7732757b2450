//! SQL for [`crate::IdentityStore`].

/// Implements [`crate::IdentityStore`] for a backend.
macro_rules! impl_identity_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::IdentityStore for $store {
            async fn create_identity(
                &self,
                identity: &attune_domain::identity::NewIdentity,
            ) -> $crate::StoreResult<attune_domain::identity::Identity> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO identity (login, display_name, password_hash, attributes, enabled, created, updated) \
                     VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING *",
                )
                .bind(&identity.login)
                .bind(&identity.display_name)
                .bind(&identity.password_hash)
                .bind(&identity.attributes)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_identity(
                &self,
                id: attune_domain::Id,
            ) -> $crate::StoreResult<attune_domain::identity::Identity> {
                $crate::sql::memoized!(
                    self,
                    identities,
                    id,
                    $crate::sql::fetch_one_by!(
                        self.read_pool(),
                        attune_domain::identity::Identity,
                        "SELECT * FROM identity WHERE id = $1",
                        "identity",
                        id
                    )
                )
            }

            async fn get_identity_by_login(
                &self,
                login: &str,
            ) -> $crate::StoreResult<attune_domain::identity::Identity> {
                $crate::sql::fetch_one_by!(
                    self.read_pool(),
                    attune_domain::identity::Identity,
                    "SELECT * FROM identity WHERE login = $1",
                    "identity",
                    login.to_owned()
                )
            }

            async fn list_identities(
                &self,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::identity::Identity>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::identity::Identity,
                    "identity",
                    "login",
                    page,
                    |qb| {}
                ))
            }

            async fn update_identity(
                &self,
                id: attune_domain::Id,
                patch: &$crate::IdentityPatch,
            ) -> $crate::StoreResult<attune_domain::identity::Identity> {
                let changing = self.changing();
                sqlx::query_as(
                    "UPDATE identity SET display_name = COALESCE($1, display_name), \
                     password_hash = COALESCE($2, password_hash), attributes = COALESCE($3, attributes), \
                     enabled = COALESCE($4, enabled), updated = $5 WHERE id = $6 RETURNING *",
                )
                .bind(&patch.display_name)
                .bind(&patch.password_hash)
                .bind(&patch.attributes)
                .bind(patch.enabled)
                .bind($crate::sql::now())
                .bind(id)
                .fetch_optional(self.write_pool(&changing))
                .await?
                .ok_or_else(|| $crate::StoreError::not_found("identity", id))
            }

            async fn delete_identity(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(
                    self.write_pool(&changing),
                    "DELETE FROM identity WHERE id = $1",
                    "identity",
                    id
                )
            }

            async fn upsert_permission_set(
                &self,
                set: &attune_domain::identity::NewPermissionSet,
            ) -> $crate::StoreResult<attune_domain::identity::PermissionSet> {
                let changing = self.changing();
                // A pack-owned set is left alone (no row returned): its pack's next
                // registration would silently undo the change.
                sqlx::query_as(
                    "INSERT INTO permission_set (ref, label, description, grants, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (ref) DO UPDATE SET label = excluded.label, \
                     description = excluded.description, grants = excluded.grants, updated = excluded.updated \
                     WHERE permission_set.pack IS NULL RETURNING *",
                )
                .bind(&set.r#ref)
                .bind(&set.label)
                .bind(&set.description)
                .bind(sqlx::types::Json(&set.grants))
                .bind($crate::sql::now())
                .fetch_optional(self.write_pool(&changing))
                .await?
                .ok_or_else(|| {
                    $crate::StoreError::Conflict(format!(
                        "permission set '{}' belongs to a pack: register the pack again to change it",
                        set.r#ref
                    ))
                })
            }

            async fn get_permission_set(
                &self,
                set_ref: &str,
            ) -> $crate::StoreResult<attune_domain::identity::PermissionSet> {
                $crate::sql::fetch_one_by!(
                    self.read_pool(),
                    attune_domain::identity::PermissionSet,
                    "SELECT * FROM permission_set WHERE ref = $1",
                    "permission set",
                    set_ref.to_owned()
                )
            }

            async fn list_permission_sets(
                &self,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::identity::PermissionSet>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::identity::PermissionSet,
                    "permission_set",
                    "ref",
                    page,
                    |qb| {}
                ))
            }

            async fn set_grants(
                &self,
                set_ref: &str,
                grants: &[attune_domain::identity::Grant],
            ) -> $crate::StoreResult<attune_domain::identity::PermissionSet> {
                let changing = self.changing();
                sqlx::query_as("UPDATE permission_set SET grants = $1, updated = $2 WHERE ref = $3 RETURNING *")
                    .bind(sqlx::types::Json(grants))
                    .bind($crate::sql::now())
                    .bind(set_ref)
                    .fetch_optional(self.write_pool(&changing))
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("permission set", set_ref))
            }

            async fn delete_permission_set(&self, set_ref: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(
                    self.write_pool(&changing),
                    "DELETE FROM permission_set WHERE ref = $1",
                    "permission set",
                    set_ref.to_owned()
                )
            }

            async fn assign_permission_set(
                &self,
                identity: attune_domain::Id,
                set_ref: &str,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                let set: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM permission_set WHERE ref = $1")
                    .bind(set_ref)
                    .fetch_optional(self.write_pool(&changing))
                    .await?;
                let set = set.ok_or_else(|| $crate::StoreError::not_found("permission set", set_ref))?;
                sqlx::query(
                    "INSERT INTO permission_assignment (identity, permission_set, created, updated) \
                     VALUES ($1, $2, $3, $3) ON CONFLICT (identity, permission_set) DO NOTHING",
                )
                .bind(identity)
                .bind(set)
                .bind($crate::sql::now())
                .execute(self.write_pool(&changing))
                .await?;
                Ok(())
            }

            async fn unassign_permission_set(
                &self,
                identity: attune_domain::Id,
                set_ref: &str,
            ) -> $crate::StoreResult<bool> {
                let changing = self.changing();
                let done = sqlx::query(
                    "DELETE FROM permission_assignment WHERE identity = $1 \
                     AND permission_set = (SELECT id FROM permission_set WHERE ref = $2)",
                )
                .bind(identity)
                .bind(set_ref)
                .execute(self.write_pool(&changing))
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn identity_permission_sets(
                &self,
                identity: attune_domain::Id,
            ) -> $crate::StoreResult<Vec<attune_domain::identity::PermissionSet>> {
                $crate::sql::memoized!(
                    self,
                    permission_sets,
                    identity,
                    Ok(sqlx::query_as(
                        "SELECT s.* FROM permission_set s JOIN permission_assignment a ON a.permission_set = s.id \
                     WHERE a.identity = $1 ORDER BY s.ref",
                    )
                    .bind(identity)
                    .fetch_all(self.read_pool())
                    .await?)
                )
            }

            async fn update_identity_keeping(
                &self,
                id: attune_domain::Id,
                patch: &$crate::IdentityPatch,
                keep: &str,
            ) -> $crate::StoreResult<attune_domain::identity::Identity> {
                let changing = self.changing();
                $crate::sql::identities::keeping_holder!(self.write_pool(&changing), keep, |tx| {
                    sqlx::query_as::<_, attune_domain::identity::Identity>(
                        "UPDATE identity SET display_name = COALESCE($1, display_name), \
                         password_hash = COALESCE($2, password_hash), attributes = COALESCE($3, attributes), \
                         enabled = COALESCE($4, enabled), updated = $5 WHERE id = $6 RETURNING *",
                    )
                    .bind(&patch.display_name)
                    .bind(&patch.password_hash)
                    .bind(&patch.attributes)
                    .bind(patch.enabled)
                    .bind($crate::sql::now())
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("identity", id))?
                })
            }

            async fn delete_identity_keeping(&self, id: attune_domain::Id, keep: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::identities::keeping_holder!(self.write_pool(&changing), keep, |tx| {
                    let done = sqlx::query("DELETE FROM identity WHERE id = $1").bind(id).execute(&mut *tx).await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::StoreError::not_found("identity", id));
                    }
                })
            }

            async fn unassign_permission_set_keeping(
                &self,
                identity: attune_domain::Id,
                set_ref: &str,
                keep: &str,
            ) -> $crate::StoreResult<bool> {
                let changing = self.changing();
                $crate::sql::identities::keeping_holder!(self.write_pool(&changing), keep, |tx| {
                    let done = sqlx::query(
                        "DELETE FROM permission_assignment WHERE identity = $1 \
                         AND permission_set = (SELECT id FROM permission_set WHERE ref = $2)",
                    )
                    .bind(identity)
                    .bind(set_ref)
                    .execute(&mut *tx)
                    .await?;
                    done.rows_affected() > 0
                })
            }
        }
    };
}
pub(crate) use impl_identity_store;

/// Runs `change` (statements on the transaction `tx`, yielding a value) and commits, unless
/// it left no enabled identity holding the permission set `keep` when one held it before:
/// then it rolls back and fails with a conflict.
macro_rules! keeping_holder {
    ($pool:expr, $keep:expr, |$tx:ident| $change:block) => {{
        const HOLDERS: &str = "SELECT COUNT(*) FROM permission_assignment a \
            JOIN identity i ON i.id = a.identity JOIN permission_set s ON s.id = a.permission_set \
            WHERE s.ref = $1 AND i.enabled = TRUE";
        let keep: &str = $keep;
        let mut $tx = $pool.begin().await?;
        // A no-op update locks the set's row (PostgreSQL) and takes the write lock (SQLite):
        // guarded changes take turns, each counting what the previous one left.
        sqlx::query("UPDATE permission_set SET updated = updated WHERE ref = $1").bind(keep).execute(&mut *$tx).await?;
        let before: i64 = sqlx::query_scalar(HOLDERS).bind(keep).fetch_one(&mut *$tx).await?;
        let changed = $change;
        let after: i64 = sqlx::query_scalar(HOLDERS).bind(keep).fetch_one(&mut *$tx).await?;
        if before > 0 && after == 0 {
            // Dropping the transaction rolls it back.
            return Err($crate::StoreError::Conflict(format!(
                "refused: no enabled identity would hold the permission set '{keep}' any more"
            )));
        }
        $tx.commit().await?;
        Ok(changed)
    }};
}
pub(crate) use keeping_holder;
