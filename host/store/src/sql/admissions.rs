//! SQL for [`crate::AdmissionStore`].
//!
//! Each admission is one write (a transaction of its own in PostgreSQL, a savepoint of the
//! group commit in SQLite) that starts by writing the `policy_lock` row of every policy it
//! checks (in ref order, so two admissions never wait on each other in a cycle): in
//! PostgreSQL that row lock makes admissions under one policy take turns across executors;
//! in SQLite the group's turn keeps every other writer out. Everything counted after it is
//! therefore what the admission decides on.

/// Statuses of an execution that has ended (it no longer holds a concurrency slot).
pub(crate) const ENDED: &str = "('completed', 'failed', 'cancelled', 'timeout', 'abandoned')";

/// Implements [`crate::AdmissionStore`] for a backend.
macro_rules! impl_admission_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AdmissionStore for $store {
            async fn admit_execution(
                &self,
                id: attune_domain::Id,
                from: attune_domain::status::ExecutionStatus,
                checks: &[attune_domain::admission::Check],
            ) -> $crate::StoreResult<attune_domain::admission::Admission> {
                use attune_domain::admission::{Admission, Limit};
                use attune_domain::status::{ExecutionStatus, PolicyMethod};

                // One write of the group commit (it writes no memoized definition): it takes
                // its turn behind the execution writes around it instead of waiting for the
                // write connection between two groups.
                $crate::group::grouped!(self.group(), |tx| {
                    let mut refs: Vec<&str> = checks.iter().map(|c| c.policy_ref.as_str()).collect();
                    refs.sort_unstable();
                    refs.dedup();
                    for policy_ref in refs {
                        sqlx::query("INSERT INTO policy_lock (ref) VALUES ($1) ON CONFLICT (ref) DO UPDATE SET ref = excluded.ref")
                            .bind(policy_ref)
                            .execute(&mut *tx)
                            .await?;
                    }
                    // Read once the turn is ours: admissions are timed in the order they happen.
                    let now = $crate::sql::now();
                    // Holds the execution's row (in PostgreSQL; SQLite's write lock holds every
                    // row) so that its status cannot change before this transaction ends.
                    let held: Option<ExecutionStatus> = sqlx::query_scalar(
                        "UPDATE execution SET updated = updated WHERE id = $1 AND status = $2 RETURNING status",
                    )
                    .bind(id)
                    .bind(from)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if held.is_none() || !matches!(from, ExecutionStatus::Scheduling | ExecutionStatus::Queued) {
                        let exists: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM execution WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        exists.ok_or_else(|| $crate::StoreError::not_found("execution", id))?;
                        return Ok(Admission::Moved);
                    }
                    // The first check that holds it back: (policy, position, retry_at).
                    let mut held: Option<(String, i64, Option<attune_domain::Timestamp>)> = None;
                    for check in checks {
                        let row: Option<(i64, Option<attune_domain::Timestamp>)> = sqlx::query_as(
                            "SELECT id, admitted FROM policy_admission WHERE policy_ref = $1 AND execution = $2",
                        )
                        .bind(&check.policy_ref)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if matches!(row, Some((_, Some(_)))) {
                            continue; // admitted before: it keeps its slot
                        }
                        let window_start = match check.limit {
                            Limit::PerWindow { window_s, .. } => Some(now - chrono::TimeDelta::seconds(window_s)),
                            Limit::Concurrent(_) => None,
                        };
                        if let Some(start) = window_start {
                            sqlx::query(
                                "DELETE FROM policy_admission WHERE policy_ref = $1 AND group_key = $2 \
                                 AND kind = 'rate_limit' AND admitted < $3",
                            )
                            .bind(&check.policy_ref)
                            .bind(&check.group_key)
                            .bind(start)
                            .execute(&mut *tx)
                            .await?;
                        }
                        // Those that arrived before it and still wait (a `cancel` policy has no queue).
                        let ahead: i64 = match (check.method, row) {
                            (PolicyMethod::Cancel, _) => 0,
                            (PolicyMethod::Enqueue, row) => {
                                let seq = match row {
                                    Some((seq, _)) => seq,
                                    None => sqlx::query_scalar(
                                        "INSERT INTO policy_admission (policy_ref, group_key, kind, execution, created) \
                                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                    )
                                    .bind(&check.policy_ref)
                                    .bind(&check.group_key)
                                    .bind(check.limit.kind())
                                    .bind(id)
                                    .bind(now)
                                    .fetch_one(&mut *tx)
                                    .await?,
                                };
                                sqlx::query_scalar(
                                    "SELECT COUNT(*) FROM policy_admission a JOIN execution e ON e.id = a.execution \
                                     WHERE a.policy_ref = $1 AND a.group_key = $2 AND a.admitted IS NULL AND a.id < $3 \
                                     AND e.status = 'queued'",
                                )
                                .bind(&check.policy_ref)
                                .bind(&check.group_key)
                                .bind(seq)
                                .fetch_one(&mut *tx)
                                .await?
                            }
                        };
                        let (full, retry_at) = match check.limit {
                            Limit::Concurrent(threshold) => {
                                let holding: i64 = sqlx::query_scalar(&format!(
                                    "SELECT COUNT(*) FROM policy_admission a JOIN execution e ON e.id = a.execution \
                                     WHERE a.policy_ref = $1 AND a.group_key = $2 AND a.admitted IS NOT NULL \
                                     AND e.status NOT IN {}",
                                    $crate::sql::admissions::ENDED
                                ))
                                .bind(&check.policy_ref)
                                .bind(&check.group_key)
                                .fetch_one(&mut *tx)
                                .await?;
                                (holding >= threshold, None)
                            }
                            Limit::PerWindow { threshold, window_s } => {
                                let admitted: Vec<attune_domain::Timestamp> = sqlx::query_scalar(
                                    "SELECT admitted FROM policy_admission WHERE policy_ref = $1 AND group_key = $2 \
                                     AND admitted IS NOT NULL AND admitted >= $3 ORDER BY admitted",
                                )
                                .bind(&check.policy_ref)
                                .bind(&check.group_key)
                                .bind(window_start)
                                .fetch_all(&mut *tx)
                                .await?;
                                let full = admitted.len() as i64 >= threshold;
                                // Room again once the oldest admission that fills the window leaves it.
                                let frees = admitted.len().checked_sub(threshold as usize).and_then(|i| admitted.get(i));
                                (full, frees.map(|at| *at + chrono::TimeDelta::seconds(window_s)))
                            }
                        };
                        if full && check.method == PolicyMethod::Cancel {
                            // What it wrote (the lock rows, expired windows) may stay.
                            return Ok(Admission::Refused { policy_ref: check.policy_ref.clone(), limit: check.limit });
                        }
                        if (full || ahead > 0) && held.as_ref().is_none_or(|(_, position, _)| ahead + 1 > *position) {
                            held = Some((check.policy_ref.clone(), ahead + 1, retry_at.filter(|_| ahead == 0)));
                        }
                    }
                    if let Some((policy_ref, position, retry_at)) = held {
                        let execution: attune_domain::execution::Execution = sqlx::query_as(
                            "UPDATE execution SET status = 'queued', updated = CASE WHEN status = 'queued' \
                             THEN updated ELSE $1 END WHERE id = $2 AND status IN ('scheduling', 'queued') RETURNING *",
                        )
                        .bind(now)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                        return Ok(Admission::Queued { execution, policy_ref, position, retry_at });
                    }
                    for check in checks {
                        sqlx::query(
                            "INSERT INTO policy_admission (policy_ref, group_key, kind, execution, admitted, created) \
                             VALUES ($1, $2, $3, $4, $5, $5) \
                             ON CONFLICT (policy_ref, execution) DO UPDATE SET admitted = COALESCE(policy_admission.admitted, excluded.admitted)",
                        )
                        .bind(&check.policy_ref)
                        .bind(&check.group_key)
                        .bind(check.limit.kind())
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let execution = sqlx::query_as(
                        "UPDATE execution SET status = 'scheduling', updated = $1 WHERE id = $2 \
                         AND status IN ('scheduling', 'queued') RETURNING *",
                    )
                    .bind(now)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    Ok(Admission::Admitted(execution))
                })
            }

            async fn release_admissions(
                &self,
                execution: attune_domain::Id,
            ) -> $crate::StoreResult<Vec<(String, String)>> {
                // Most executions are governed by no policy: a read finds that out without
                // taking a turn of the group commit.
                let groups: Vec<(String, String)> = sqlx::query_as(
                    "SELECT DISTINCT policy_ref, group_key FROM policy_admission WHERE execution = $1 \
                     ORDER BY policy_ref, group_key",
                )
                .bind(execution)
                .fetch_all(self.read_pool())
                .await?;
                if !groups.is_empty() {
                    let release = format!(
                        "DELETE FROM policy_admission WHERE execution = $1 AND (kind = 'concurrency' OR admitted IS NULL) \
                         AND EXISTS (SELECT 1 FROM execution e WHERE e.id = $1 AND e.status IN {})",
                        $crate::sql::admissions::ENDED
                    );
                    $crate::group::grouped!(self.group(), statement |tx| {
                        sqlx::query(&release).bind(execution).execute(&mut *tx).await?;
                        Ok(())
                    })?;
                }
                Ok(groups)
            }

            async fn queue_heads(
                &self,
                policy_ref: &str,
                group_key: &str,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::Id>> {
                Ok(sqlx::query_scalar(
                    "SELECT a.execution FROM policy_admission a JOIN execution e ON e.id = a.execution \
                     WHERE a.policy_ref = $1 AND a.group_key = $2 AND a.admitted IS NULL AND e.status = 'queued' \
                     ORDER BY a.id LIMIT $3",
                )
                .bind(policy_ref)
                .bind(group_key)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn queued_groups(&self, limit: u32) -> $crate::StoreResult<Vec<(String, String)>> {
                Ok(sqlx::query_as(
                    "SELECT a.policy_ref, a.group_key FROM policy_admission a JOIN execution e ON e.id = a.execution \
                     WHERE a.admitted IS NULL AND e.status = 'queued' GROUP BY a.policy_ref, a.group_key \
                     ORDER BY MIN(a.id) LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn queue_depths(&self) -> $crate::StoreResult<Vec<(String, u64)>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT a.policy_ref, COUNT(*) FROM policy_admission a JOIN execution e ON e.id = a.execution \
                     WHERE a.admitted IS NULL AND e.status = 'queued' GROUP BY a.policy_ref ORDER BY a.policy_ref",
                )
                .fetch_all(self.read_pool())
                .await?;
                Ok(rows.into_iter().map(|(policy, depth)| (policy, depth.max(0) as u64)).collect())
            }

            async fn action_queue(
                &self,
                action_ref: &str,
            ) -> $crate::StoreResult<attune_domain::admission::ActionQueue> {
                use attune_domain::admission::{ActionQueue, Waiting};
                let running: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM execution e WHERE e.action_ref = $1 \
                     AND (e.status IN ('scheduled', 'running', 'canceling') OR (e.status = 'scheduling' AND EXISTS \
                     (SELECT 1 FROM policy_admission a WHERE a.execution = e.id AND a.admitted IS NOT NULL)))",
                )
                .bind(action_ref)
                .fetch_one(self.read_pool())
                .await?;
                let depth: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM execution WHERE action_ref = $1 AND status = 'queued'")
                        .bind(action_ref)
                        .fetch_one(self.read_pool())
                        .await?;
                // A policy governs one action, so the waiting rows of the action's groups
                // are all here: in arrival order, each row's place in its group is one more
                // than the rows of the group before it.
                let rows: Vec<(attune_domain::Id, String, String, attune_domain::Timestamp)> = sqlx::query_as(
                    "SELECT a.execution, a.policy_ref, a.group_key, a.created \
                     FROM policy_admission a JOIN execution e ON e.id = a.execution \
                     WHERE e.action_ref = $1 AND e.status = 'queued' AND a.admitted IS NULL ORDER BY a.id",
                )
                .bind(action_ref)
                .fetch_all(self.read_pool())
                .await?;
                let mut ahead: std::collections::HashMap<(String, String), i64> = std::collections::HashMap::new();
                let mut index: std::collections::HashMap<attune_domain::Id, usize> = std::collections::HashMap::new();
                let mut waiting: Vec<Waiting> = Vec::new();
                for (execution, policy_ref, group, queued_at) in rows {
                    let count = ahead.entry((policy_ref.clone(), group.clone())).or_insert(0);
                    *count += 1;
                    let entry = Waiting { execution, policy_ref, group, position: *count, queued_at };
                    match index.get(&execution) {
                        Some(&at) if waiting[at].position >= entry.position => {}
                        Some(&at) => waiting[at] = entry,
                        None => {
                            index.insert(execution, waiting.len());
                            waiting.push(entry);
                        }
                    }
                }
                waiting.truncate(1000);
                Ok(ActionQueue { action_ref: action_ref.to_owned(), running, depth, waiting })
            }
        }
    };
}
pub(crate) use impl_admission_store;
