//! SQL for [`crate::EventStore`].

/// Implements [`crate::EventStore`] for a backend.
macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::EventStore for $store {
            async fn create_event(&self, event: &attune_domain::event::NewEvent) -> $crate::StoreResult<attune_domain::event::Event> {
                if let Some(coalesced) = self.coalesced() {
                    return coalesced.create_event(event).await;
                }
                let now = $crate::sql::now();
                $crate::group::grouped!(self.group(), statement |tx| Ok(sqlx::query_as(
                    "INSERT INTO event (trigger, trigger_ref, config, payload, source, source_ref, created, updated) \
                     VALUES ((SELECT id FROM trigger WHERE ref = $1), $1, $2, $3, \
                     (SELECT id FROM sensor WHERE ref = $4), $4, $5, $5) RETURNING *",
                )
                .bind(&event.trigger_ref)
                .bind(&event.config)
                .bind(&event.payload)
                .bind(&event.source_ref)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?))
            }

            async fn get_event(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::event::Event> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::event::Event,
                    "SELECT * FROM event WHERE id = $1", "event", id)
            }

            async fn list_events(
                &self,
                filter: &$crate::EventFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::event::Event>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::event::Event, "event", "id DESC", page, |qb| {
                    if let Some(t) = &filter.trigger_ref { qb.push(" AND trigger_ref = ").push_bind(t.clone()); }
                    if let Some(s) = &filter.source_ref { qb.push(" AND source_ref = ").push_bind(s.clone()); }
                    if let Some(s) = filter.since { qb.push(" AND created >= ").push_bind(s); }
                }))
            }

            async fn delete_event(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM event WHERE id = $1", "event", id)
            }

            async fn mark_event_processed(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                if let Some(coalesced) = self.coalesced() {
                    return coalesced.mark_event_processed(id).await;
                }
                let now = $crate::sql::now();
                $crate::group::grouped!(self.group(), statement |tx| {
                    let done = sqlx::query("UPDATE event SET processed = $1, updated = $1 WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::StoreError::not_found("event", id));
                    }
                    Ok(())
                })
            }

            async fn list_unprocessed_events(
                &self,
                before: attune_domain::Timestamp,
                limit: i64,
            ) -> $crate::StoreResult<Vec<attune_domain::event::Event>> {
                Ok(sqlx::query_as("SELECT * FROM event WHERE processed IS NULL AND created < $1 ORDER BY id LIMIT $2")
                    .bind(before)
                    .bind(limit)
                    .fetch_all(self.read_pool())
                    .await?)
            }

            async fn create_enforcement(
                &self,
                enforcement: &attune_domain::event::NewEnforcement,
            ) -> $crate::StoreResult<attune_domain::event::Enforcement> {
                let now = $crate::sql::now();
                $crate::group::grouped!(self.group(), statement |tx| Ok(sqlx::query_as(
                    "INSERT INTO enforcement (rule, rule_ref, trigger_ref, event, config, status, payload, condition, \
                     criteria, reason, created, updated) \
                     VALUES ((SELECT id FROM rule WHERE ref = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                     RETURNING *",
                )
                .bind(&enforcement.rule_ref)
                .bind(&enforcement.trigger_ref)
                .bind(enforcement.event)
                .bind(&enforcement.config)
                .bind(enforcement.status)
                .bind(&enforcement.payload)
                .bind(enforcement.condition)
                .bind(&enforcement.criteria)
                .bind(&enforcement.reason)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?))
            }

            async fn get_enforcement(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::event::Enforcement> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::event::Enforcement,
                    "SELECT * FROM enforcement WHERE id = $1", "enforcement", id)
            }

            async fn list_enforcements(
                &self,
                filter: &$crate::EnforcementFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::event::Enforcement>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::event::Enforcement,
                    "enforcement", "id DESC", page, |qb| {
                    if let Some(r) = &filter.rule_ref { qb.push(" AND rule_ref = ").push_bind(r.clone()); }
                    if let Some(e) = filter.event { qb.push(" AND event = ").push_bind(e); }
                    if let Some(s) = filter.status { qb.push(" AND status = ").push_bind(s); }
                    if let Some(s) = filter.since { qb.push(" AND created >= ").push_bind(s); }
                }))
            }

            async fn update_enforcement(
                &self,
                id: attune_domain::Id,
                status: attune_domain::status::EnforcementStatus,
                reason: Option<&str>,
            ) -> $crate::StoreResult<attune_domain::event::Enforcement> {
                if let Some(coalesced) = self.coalesced() {
                    return coalesced.update_enforcement(id, status, reason).await;
                }
                $crate::group::grouped!(self.group(), statement |tx| {
                    sqlx::query_as("UPDATE enforcement SET status = $1, reason = $2, updated = $3 WHERE id = $4 RETURNING *")
                        .bind(status)
                        .bind(reason)
                        .bind($crate::sql::now())
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| $crate::StoreError::not_found("enforcement", id))
                })
            }
        }
    };
}
pub(crate) use impl_event_store;
