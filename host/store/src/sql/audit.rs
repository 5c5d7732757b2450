//! SQL for [`crate::AuditStore`].

/// Implements [`crate::AuditStore`] for a backend.
macro_rules! impl_audit_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AuditStore for $store {
            async fn append_audit(
                &self,
                entry: &attune_domain::audit::NewAuditEntry,
            ) -> $crate::StoreResult<attune_domain::audit::AuditEntry> {
                // A write of the group commit: it changes no memoized definition.
                let now = $crate::sql::now();
                $crate::group::grouped!(self.group(), statement |tx| Ok(sqlx::query_as(
                    "INSERT INTO audit_entry (at, actor, actor_login, source, action, resource_type, resource_ref, \
                     outcome, status, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     RETURNING *",
                )
                .bind(now)
                .bind(entry.actor)
                .bind(&entry.actor_login)
                .bind(&entry.source)
                .bind(&entry.action)
                .bind(&entry.resource_type)
                .bind(&entry.resource_ref)
                .bind(&entry.outcome)
                .bind(entry.status)
                .bind(&entry.before)
                .bind(&entry.after)
                .bind(&entry.detail)
                .fetch_one(&mut *tx)
                .await?))
            }

            async fn list_audit(
                &self,
                filter: &$crate::AuditFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::audit::AuditEntry>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::audit::AuditEntry,
                    "audit_entry",
                    "id DESC",
                    page,
                    |qb| {
                        if let Some(v) = &filter.actor_login { qb.push(" AND actor_login = ").push_bind(v.clone()); }
                        if let Some(v) = &filter.action { qb.push(" AND action = ").push_bind(v.clone()); }
                        if let Some(v) = &filter.resource_type { qb.push(" AND resource_type = ").push_bind(v.clone()); }
                        if let Some(v) = &filter.resource_ref { qb.push(" AND resource_ref = ").push_bind(v.clone()); }
                        if let Some(v) = &filter.outcome { qb.push(" AND outcome = ").push_bind(v.clone()); }
                        if let Some(v) = filter.since { qb.push(" AND at >= ").push_bind(v); }
                        if let Some(v) = filter.until { qb.push(" AND at < ").push_bind(v); }
                    }
                ))
            }
        }
    };
}
pub(crate) use impl_audit_store;
