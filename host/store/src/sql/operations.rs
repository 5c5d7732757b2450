//! SQL for [`crate::OperationsStore`].

/// Implements [`crate::OperationsStore`] for a backend.
macro_rules! impl_operations_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::OperationsStore for $store {
            async fn upsert_runtime(
                &self,
                runtime: &attune_domain::runtime::NewRuntime,
            ) -> $crate::StoreResult<attune_domain::runtime::Runtime> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO runtime (ref, name, description, execution_config, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (ref) DO UPDATE SET name = excluded.name, \
                     description = excluded.description, execution_config = excluded.execution_config, \
                     updated = excluded.updated RETURNING *",
                )
                .bind(&runtime.r#ref)
                .bind(&runtime.name)
                .bind(&runtime.description)
                .bind(&runtime.execution_config)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_runtime(&self, runtime_ref: &str) -> $crate::StoreResult<attune_domain::runtime::Runtime> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::runtime::Runtime,
                    "SELECT * FROM runtime WHERE ref = $1", "runtime", runtime_ref.to_owned())
            }

            async fn list_runtimes(
                &self,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::runtime::Runtime>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::runtime::Runtime, "runtime", "ref", page, |qb| {}))
            }

            async fn delete_runtime(&self, runtime_ref: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM runtime WHERE ref = $1", "runtime", runtime_ref.to_owned())
            }

            async fn register_worker(
                &self,
                worker: &attune_domain::worker::NewWorker,
            ) -> $crate::StoreResult<attune_domain::worker::Worker> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO worker (name, worker_type, runner_types, host, port, status, capabilities, \
                     last_heartbeat, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) \
                     ON CONFLICT (name) DO UPDATE SET worker_type = excluded.worker_type, \
                     runner_types = excluded.runner_types, host = excluded.host, port = excluded.port, \
                     status = excluded.status, capabilities = excluded.capabilities, \
                     last_heartbeat = excluded.last_heartbeat, updated = excluded.updated RETURNING *",
                )
                .bind(&worker.name)
                .bind(worker.worker_type)
                .bind(sqlx::types::Json(&worker.runner_types))
                .bind(&worker.host)
                .bind(worker.port)
                .bind(attune_domain::status::WorkerStatus::Active)
                .bind(&worker.capabilities)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_worker(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::worker::Worker> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::worker::Worker,
                    "SELECT * FROM worker WHERE id = $1", "worker", id)
            }

            async fn list_workers(
                &self,
                status: Option<attune_domain::status::WorkerStatus>,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::worker::Worker>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::worker::Worker, "worker", "name", page, |qb| {
                    if let Some(s) = status { qb.push(" AND status = ").push_bind(s); }
                }))
            }

            async fn heartbeat_worker(
                &self,
                id: attune_domain::Id,
                status: attune_domain::status::WorkerStatus,
            ) -> $crate::StoreResult<attune_domain::worker::Worker> {
                let changing = self.changing();
                sqlx::query_as("UPDATE worker SET status = $1, last_heartbeat = $2, updated = $2 WHERE id = $3 RETURNING *")
                    .bind(status)
                    .bind($crate::sql::now())
                    .bind(id)
                    .fetch_optional(self.write_pool(&changing))
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("worker", id))
            }

            async fn expire_workers(&self, before: attune_domain::Timestamp) -> $crate::StoreResult<Vec<attune_domain::Id>> {
                let changing = self.changing();
                use attune_domain::status::WorkerStatus;
                Ok(sqlx::query_scalar(
                    "UPDATE worker SET status = $1, updated = $2 WHERE status IN ($3, $4) \
                     AND (last_heartbeat IS NULL OR last_heartbeat < $5) RETURNING id",
                )
                .bind(WorkerStatus::Inactive)
                .bind($crate::sql::now())
                .bind(WorkerStatus::Active)
                .bind(WorkerStatus::Busy)
                .bind(before)
                .fetch_all(self.write_pool(&changing))
                .await?)
            }

            async fn delete_worker(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM worker WHERE id = $1", "worker", id)
            }

            async fn backlog(&self) -> $crate::StoreResult<u64> {
                // Both counts walk an index: `event_unprocessed_idx`, `execution_status_idx`.
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM event WHERE processed IS NULL) + \
                     (SELECT COUNT(*) FROM execution WHERE status IN ('requested', 'scheduling', 'scheduled'))",
                )
                .fetch_one(self.read_pool())
                .await?;
                Ok(u64::try_from(waiting).unwrap_or_default())
            }

            async fn create_notification(
                &self,
                notification: &attune_domain::notification::NewNotification,
            ) -> $crate::StoreResult<attune_domain::notification::Notification> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO notification (channel, entity_type, entity, activity, state, content, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *",
                )
                .bind(&notification.channel)
                .bind(&notification.entity_type)
                .bind(&notification.entity)
                .bind(&notification.activity)
                .bind(attune_domain::status::NotificationState::Created)
                .bind(&notification.content)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn list_notifications(
                &self,
                after: attune_domain::Id,
                limit: i64,
            ) -> $crate::StoreResult<Vec<attune_domain::notification::Notification>> {
                Ok(sqlx::query_as("SELECT * FROM notification WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(limit)
                    .fetch_all(self.read_pool())
                    .await?)
            }

            async fn set_notification_state(
                &self,
                id: attune_domain::Id,
                state: attune_domain::status::NotificationState,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                let done = sqlx::query("UPDATE notification SET state = $1, updated = $2 WHERE id = $3")
                    .bind(state)
                    .bind($crate::sql::now())
                    .bind(id)
                    .execute(self.write_pool(&changing))
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("notification", id));
                }
                Ok(())
            }

            async fn purge_notifications(&self, before: attune_domain::Timestamp) -> $crate::StoreResult<u64> {
                let changing = self.changing();
                let done = sqlx::query("DELETE FROM notification WHERE created < $1")
                    .bind(before)
                    .execute(self.write_pool(&changing))
                    .await?;
                Ok(done.rows_affected())
            }

            async fn create_artifact(
                &self,
                artifact: &attune_domain::artifact::NewArtifact,
            ) -> $crate::StoreResult<attune_domain::artifact::Artifact> {
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                let created: attune_domain::artifact::Artifact = sqlx::query_as(
                    "INSERT INTO artifact (ref, scope, owner, artifact_type, retention_policy, retention_limit, \
                     execution, data, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *",
                )
                .bind(&artifact.r#ref)
                .bind(artifact.scope)
                .bind(&artifact.owner)
                .bind(artifact.artifact_type)
                .bind(artifact.retention_policy)
                .bind(artifact.retention_limit)
                .bind(artifact.execution)
                .bind(&artifact.data)
                .bind($crate::sql::now())
                .fetch_one(&mut *tx)
                .await?;
                if let Some(content) = &artifact.content {
                    sqlx::query("INSERT INTO artifact_content (artifact, content) VALUES ($1, $2)")
                        .bind(created.id)
                        .bind(content)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(digest) = &artifact.file {
                    sqlx::query("INSERT INTO artifact_file (artifact, sha256) VALUES ($1, $2)")
                        .bind(created.id)
                        .bind(digest)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(created)
            }

            async fn artifact_file(&self, id: attune_domain::Id) -> $crate::StoreResult<String> {
                let digest: Option<String> = sqlx::query_scalar("SELECT sha256 FROM artifact_file WHERE artifact = $1")
                    .bind(id)
                    .fetch_optional(self.read_pool())
                    .await?;
                digest.ok_or_else(|| $crate::StoreError::not_found("artifact file", id))
            }

            async fn artifact_files_in_use(&self, digests: &[String]) -> $crate::StoreResult<Vec<String>> {
                if digests.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT DISTINCT sha256 FROM artifact_file WHERE sha256 IN (");
                let mut list = qb.separated(", ");
                for digest in digests {
                    list.push_bind(digest);
                }
                qb.push(")");
                Ok(qb.build_query_scalar().fetch_all(self.read_pool()).await?)
            }

            async fn artifact_content(&self, id: attune_domain::Id) -> $crate::StoreResult<Vec<u8>> {
                let content: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT content FROM artifact_content WHERE artifact = $1")
                        .bind(id)
                        .fetch_optional(self.read_pool())
                        .await?;
                content.ok_or_else(|| $crate::StoreError::not_found("artifact content", id))
            }

            async fn get_artifact(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::artifact::Artifact> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::artifact::Artifact,
                    "SELECT * FROM artifact WHERE id = $1", "artifact", id)
            }

            async fn list_artifacts(
                &self,
                execution: Option<attune_domain::Id>,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::artifact::Artifact>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::artifact::Artifact, "artifact", "id DESC", page, |qb| {
                    if let Some(e) = execution { qb.push(" AND execution = ").push_bind(e); }
                }))
            }

            async fn delete_artifact(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM artifact WHERE id = $1", "artifact", id)
            }
        }
    };
}
pub(crate) use impl_operations_store;
