//! SQL for [`crate::ExecutionStore`].

/// Inserts `$new` (a [`NewExecution`](attune_domain::execution::NewExecution)) in
/// transaction `$tx`: `requested`, or `delayed` when it has a `run_after`. Evaluates to the
/// created execution; an unknown action is an `UnknownReference`.
macro_rules! insert_execution {
    ($tx:ident, $new:expr) => {{
        let new: &attune_domain::execution::NewExecution = $new;
        // One statement: the action's id is looked up by the insert itself, and no row
        // comes back when there is no such action.
        let created: Option<attune_domain::execution::Execution> = sqlx::query_as(
            "INSERT INTO execution (action, action_ref, config, parent, enforcement, executor, rule_ref, \
             trigger_ref, status, parameters, attempt, created, updated, sealed_parameters, run_after, \
             retry_of, trace_parent) SELECT id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15 \
             FROM action WHERE ref = $1 RETURNING *",
        )
        .bind(&new.action_ref)
        .bind(&new.config)
        .bind(new.parent)
        .bind(new.enforcement)
        .bind(new.executor)
        .bind(&new.rule_ref)
        .bind(&new.trigger_ref)
        .bind(match new.run_after {
            Some(_) => attune_domain::status::ExecutionStatus::Delayed,
            None => attune_domain::status::ExecutionStatus::Requested,
        })
        .bind(&new.parameters)
        .bind(new.attempt)
        .bind($crate::sql::now())
        .bind(sqlx::types::Json(&new.sealed_parameters))
        .bind(new.run_after)
        .bind(new.retry_of)
        .bind(&new.trace_parent)
        .fetch_optional(&mut *$tx)
        .await?;
        let created = created.ok_or_else(|| {
            $crate::StoreError::UnknownReference(format!("action '{}' does not exist", new.action_ref))
        })?;
        created
    }};
}
pub(crate) use insert_execution;

/// Implements [`crate::ExecutionStore`] for a backend.
macro_rules! impl_execution_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::ExecutionStore for $store {
            async fn create_execution(
                &self,
                execution: &attune_domain::execution::NewExecution,
            ) -> $crate::StoreResult<attune_domain::execution::Execution> {
                $crate::group::grouped!(self.group(), statement |tx| Ok($crate::sql::executions::insert_execution!(tx, execution)))
            }

            async fn get_execution(
                &self,
                id: attune_domain::Id,
            ) -> $crate::StoreResult<attune_domain::execution::Execution> {
                $crate::sql::fetch_one_by!(
                    self.read_pool(),
                    attune_domain::execution::Execution,
                    "SELECT * FROM execution WHERE id = $1",
                    "execution",
                    id
                )
            }

            async fn list_executions(
                &self,
                filter: &attune_domain::execution::ExecutionFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::execution::Execution>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::execution::Execution,
                    "execution",
                    "id DESC",
                    page,
                    |qb| {
                        if !filter.statuses.is_empty() {
                            qb.push(" AND status IN (");
                            let mut list = qb.separated(", ");
                            for status in &filter.statuses {
                                list.push_bind(*status);
                            }
                            qb.push(")");
                        }
                        if let Some(a) = &filter.action_ref {
                            qb.push(" AND action_ref = ").push_bind(a.clone());
                        }
                        if let Some(p) = filter.parent {
                            qb.push(" AND parent = ").push_bind(p);
                        }
                        if let Some(r) = &filter.rule_ref {
                            qb.push(" AND rule_ref = ").push_bind(r.clone());
                        }
                        if let Some(s) = filter.since {
                            qb.push(" AND created >= ").push_bind(s);
                        }
                        if let Some(w) = filter.worker {
                            qb.push(" AND worker = ").push_bind(w);
                        }
                        if let Some(e) = filter.enforcement {
                            qb.push(" AND enforcement = ").push_bind(e);
                        }
                    }
                ))
            }

            async fn transition_execution(
                &self,
                id: attune_domain::Id,
                from: &[attune_domain::status::ExecutionStatus],
                to: attune_domain::status::ExecutionStatus,
                patch: &attune_domain::execution::ExecutionPatch,
            ) -> $crate::StoreResult<Option<attune_domain::execution::Execution>> {
                if from.is_empty() {
                    self.get_execution(id).await?;
                    return Ok(None);
                }
                let moved = match self.coalesced() {
                    Some(coalesced) => coalesced.transition(id, from, to, patch).await?,
                    None => {
                        let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE execution SET status = ");
                        qb.push_bind(to)
                            .push(", worker = COALESCE(")
                            .push_bind(patch.worker)
                            .push(", worker)")
                            .push(", result = COALESCE(")
                            .push_bind(patch.result.clone())
                            .push(", result)")
                            .push(", metering = COALESCE(")
                            .push_bind(patch.metering.clone())
                            .push(", metering)")
                            .push(", started = COALESCE(")
                            .push_bind(patch.started)
                            .push(", started)")
                            .push(", finished = COALESCE(")
                            .push_bind(patch.finished)
                            .push(", finished)")
                            .push(", attempt = COALESCE(")
                            .push_bind(patch.attempt)
                            .push(", attempt)")
                            .push(", updated = ")
                            .push_bind($crate::sql::now())
                            .push(" WHERE id = ")
                            .push_bind(id)
                            .push(" AND status IN (");
                        let mut list = qb.separated(", ");
                        for status in from {
                            list.push_bind(*status);
                        }
                        qb.push(") RETURNING *");
                        $crate::group::grouped!(self.group(), statement |tx| Ok(qb
                            .build_query_as::<attune_domain::execution::Execution>()
                            .fetch_optional(&mut *tx)
                            .await?))?
                    }
                };
                if moved.is_none() {
                    // Distinguish "lost the race" from "no such execution".
                    self.get_execution(id).await?;
                }
                Ok(moved)
            }

            async fn delete_execution(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM execution WHERE id = $1", "execution", id)
            }

            async fn append_output(
                &self,
                execution: attune_domain::Id,
                lines: &[(String, String)],
            ) -> $crate::StoreResult<i64> {
                // Three binds a row; stay well under both engines' bind limits.
                const ROWS_PER_INSERT: usize = 1000;
                if lines.is_empty() {
                    // Nothing to write: the seq the next line will get.
                    let last: Option<i64> = sqlx::query_scalar(
                        "SELECT COALESCE(MAX(o.seq), 0) FROM execution e \
                         LEFT JOIN execution_output o ON o.execution = e.id WHERE e.id = $1 GROUP BY e.id",
                    )
                    .bind(execution)
                    .fetch_optional(self.read_pool())
                    .await?;
                    return Ok(last.ok_or_else(|| $crate::StoreError::not_found("execution", execution))? + 1);
                }
                if let Some(coalesced) = self.coalesced()
                    && lines.len() <= $crate::coalesce::LINES_PER_STATEMENT
                {
                    return coalesced.append_output(execution, lines).await;
                }
                let serialized = self.group().writers_take_turns();
                let single = serialized && lines.len() <= ROWS_PER_INSERT;
                let written = $crate::group::grouped!(self.group(), statement if single, |tx| {
                    if !serialized {
                        // Lock the execution's row until commit, so that appenders of other
                        // processes take turns: without it two of them read the same last
                        // line and then collide on (execution, seq).
                        sqlx::query("UPDATE execution SET updated = updated WHERE id = $1")
                            .bind(execution)
                            .execute(&mut *tx)
                            .await?;
                    }
                    // Each chunk numbers its lines after the last one stored, in the
                    // statement that inserts them; a missing execution fails the foreign key.
                    let now = $crate::sql::now();
                    let mut first = None;
                    for chunk in lines.chunks(ROWS_PER_INSERT) {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO execution_output (execution, seq, stream, text, created) SELECT ",
                        );
                        qb.push_bind(execution)
                            .push(", last.seq + v.column1, v.column2, v.column3, ")
                            .push_bind(now)
                            .push(" FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM execution_output WHERE execution = ")
                            .push_bind(execution)
                            .push(") AS last, (");
                        qb.push_values(chunk.iter().zip(1_i64..), |mut row, ((stream, text), n)| {
                            row.push_bind(n).push_bind(stream.clone()).push_bind(text.clone());
                        });
                        qb.push(") AS v RETURNING seq");
                        let seqs: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
                        first = first.or(seqs.into_iter().min());
                    }
                    Ok(first.unwrap_or_default())
                });
                match written {
                    Err($crate::StoreError::UnknownReference(_)) => {
                        Err($crate::StoreError::not_found("execution", execution))
                    }
                    other => other,
                }
            }

            async fn list_output(
                &self,
                execution: attune_domain::Id,
                after: i64,
                limit: i64,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::OutputLine>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM execution_output WHERE execution = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(execution)
                .bind(after)
                .bind(limit)
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn list_stale_executions(
                &self,
                query: &attune_domain::execution::StaleQuery,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::Execution>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM execution WHERE status = ");
                qb.push_bind(query.status);
                if let Some(before) = query.updated_before {
                    qb.push(" AND updated < ").push_bind(before);
                }
                match query.worker_not_in.as_deref() {
                    None => {}
                    // No live worker: every execution of the status is on a gone one.
                    Some([]) => {
                        qb.push(" AND worker IS NOT NULL");
                    }
                    Some(live) => {
                        qb.push(" AND worker IS NOT NULL AND worker NOT IN (");
                        let mut list = qb.separated(", ");
                        for id in live {
                            list.push_bind(*id);
                        }
                        qb.push(")");
                    }
                }
                qb.push(" ORDER BY updated, id LIMIT ").push_bind(i64::from(query.limit));
                Ok(qb.build_query_as().fetch_all(self.read_pool()).await?)
            }

            async fn get_execution_status(
                &self,
                id: attune_domain::Id,
            ) -> $crate::StoreResult<attune_domain::status::ExecutionStatus> {
                let status: Option<attune_domain::status::ExecutionStatus> =
                    sqlx::query_scalar("SELECT status FROM execution WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.read_pool())
                        .await?;
                status.ok_or_else(|| $crate::StoreError::not_found("execution", id))
            }

            async fn get_retry_of(
                &self,
                id: attune_domain::Id,
            ) -> $crate::StoreResult<Option<attune_domain::execution::Execution>> {
                Ok(sqlx::query_as("SELECT * FROM execution WHERE retry_of = $1")
                    .bind(id)
                    .fetch_optional(self.read_pool())
                    .await?)
            }

            async fn list_unretried_executions(
                &self,
                action_refs: &[String],
                statuses: &[attune_domain::status::ExecutionStatus],
                after: attune_domain::Timestamp,
                before: attune_domain::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::Execution>> {
                if action_refs.is_empty() || statuses.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM execution e WHERE e.status IN (");
                let mut list = qb.separated(", ");
                for status in statuses {
                    list.push_bind(*status);
                }
                qb.push(") AND e.action_ref IN (");
                let mut list = qb.separated(", ");
                for action_ref in action_refs {
                    list.push_bind(action_ref.clone());
                }
                qb.push(") AND e.finished >= ")
                    .push_bind(after)
                    .push(" AND e.finished < ")
                    .push_bind(before)
                    .push(" AND NOT EXISTS (SELECT 1 FROM execution r WHERE r.retry_of = e.id) ORDER BY e.finished, e.id LIMIT ")
                    .push_bind(i64::from(limit));
                Ok(qb.build_query_as().fetch_all(self.read_pool()).await?)
            }

            async fn list_due_executions(
                &self,
                now: attune_domain::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::Execution>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM execution WHERE status = 'delayed' AND run_after <= $1 \
                     ORDER BY run_after, id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn count_executions(
                &self,
                since: attune_domain::Timestamp,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::ExecutionCount>> {
                Ok(sqlx::query_as(
                    "SELECT action_ref, status, COUNT(*) AS count FROM execution WHERE created >= $1 \
                     GROUP BY action_ref, status ORDER BY action_ref, status",
                )
                .bind(since)
                .fetch_all(self.read_pool())
                .await?)
            }
        }
    };
}
pub(crate) use impl_execution_store;
