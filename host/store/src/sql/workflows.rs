//! SQL for [`crate::WorkflowStore`].
//!
//! A step is one write transaction that first holds the workflow's execution row while it
//! is `running` (in PostgreSQL a row lock, so a cancel waits for the step and then sees, and
//! cancels, the children it made; in SQLite the database's write lock), then moves the run
//! from the revision the step was computed from to the next. Two executors that computed a
//! step from the same revision cannot both write it.
//!
//! PostgreSQL holds the row with `SELECT ... FOR NO KEY UPDATE` — the lock an update that
//! changes no key takes, so a child inserted elsewhere (whose foreign key shares the row)
//! does not wait — which writes nothing: a no-op `UPDATE` would leave a dead row version
//! (and index entries) behind for every step, and a with-items run takes one step per item. SQLite has no row locks; its no-op `UPDATE` takes
//! the database's write lock at the start of the step.

/// A running task run and how its child ended.
#[derive(sqlx::FromRow)]
pub(crate) struct FinishedRow {
    #[sqlx(flatten)]
    pub(crate) run: attune_domain::workflow::WorkflowTaskExecution,
    pub(crate) child_status: attune_domain::status::ExecutionStatus,
    pub(crate) child_result: Option<attune_domain::Json>,
}

/// Implements [`crate::WorkflowStore`] for a backend. `$hold` is the backend's statement
/// that holds a `running` execution's row (`$1` the id, `$2` the status) for the rest of the
/// transaction and returns its id.
macro_rules! impl_workflow_store {
    ($store:ty, $db:ty, $hold:expr) => {
        #[async_trait::async_trait]
        impl $crate::WorkflowStore for $store {
            async fn start_workflow_execution(
                &self,
                execution: attune_domain::Id,
                workflow_ref: &str,
                graph: &attune_domain::Json,
                variables: &attune_domain::Json,
                state: &attune_domain::Json,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowExecution> {
                let changing = self.changing();
                sqlx::query(
                    "INSERT INTO workflow_execution (execution, workflow_def, task_graph, variables, state, status, \
                     created, updated) VALUES ($1, (SELECT id FROM workflow_definition WHERE ref = $2), $3, $4, $5, \
                     $6, $7, $7) ON CONFLICT (execution) DO NOTHING",
                )
                .bind(execution)
                .bind(workflow_ref)
                .bind(graph)
                .bind(variables)
                .bind(state)
                .bind(attune_domain::status::ExecutionStatus::Running)
                .bind($crate::sql::now())
                .execute(self.write_pool(&changing))
                .await?;
                $crate::sql::fetch_one_by!(self.write_pool(&changing), attune_domain::workflow::WorkflowExecution,
                    "SELECT * FROM workflow_execution WHERE execution = $1", "workflow execution", execution)
            }

            async fn get_workflow_execution(
                &self,
                execution: attune_domain::Id,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowExecution> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::workflow::WorkflowExecution,
                    "SELECT * FROM workflow_execution WHERE execution = $1", "workflow execution", execution)
            }

            async fn write_workflow_step(
                &self,
                step: &attune_domain::workflow::WorkflowStep,
            ) -> $crate::StoreResult<Option<Vec<attune_domain::execution::Execution>>> {
                let changing = self.changing();
                use attune_domain::status::ExecutionStatus;
                let mut tx = self.write_pool(&changing).begin().await?;
                let held: Option<attune_domain::Id> = sqlx::query_scalar($hold)
                .bind(step.execution)
                .bind(ExecutionStatus::Running)
                .fetch_optional(&mut *tx)
                .await?;
                if held.is_none() {
                    return Ok(None);
                }
                let now = $crate::sql::now();
                let moved = sqlx::query(
                    "UPDATE workflow_execution SET state = $1, variables = $2, status = $3, error_message = $4, \
                     paused = $5, pause_reason = $6, current_tasks = $7, completed_tasks = $8, failed_tasks = $9, \
                     revision = revision + 1, updated = $10 WHERE id = $11 AND revision = $12",
                )
                .bind(&step.state)
                .bind(&step.variables)
                .bind(step.status)
                .bind(&step.error_message)
                .bind(step.paused)
                .bind(&step.pause_reason)
                .bind(sqlx::types::Json(&step.current_tasks))
                .bind(sqlx::types::Json(&step.completed_tasks))
                .bind(sqlx::types::Json(&step.failed_tasks))
                .bind(now)
                .bind(step.workflow)
                .bind(step.revision)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved == 0 {
                    return Ok(None);
                }
                let mut children = Vec::new();
                for run in &step.new_runs {
                    let child = match &run.child {
                        Some(new) => Some($crate::sql::executions::insert_execution!(tx, new)),
                        None => None,
                    };
                    let ended = run.status.is_terminal().then_some(now);
                    sqlx::query(
                        "INSERT INTO workflow_task_execution (workflow_execution, execution, task_name, round, \
                         task_index, item, status, result, max_retries, timeout_seconds, started_at, completed_at, \
                         created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
                    )
                    .bind(step.workflow)
                    .bind(child.as_ref().map(|c: &attune_domain::execution::Execution| c.id))
                    .bind(&run.task_name)
                    .bind(run.round)
                    .bind(run.task_index)
                    .bind(&run.item)
                    .bind(run.status)
                    .bind(&run.result)
                    .bind(run.max_retries)
                    .bind(run.timeout_seconds)
                    .bind(child.as_ref().map(|_| now))
                    .bind(ended)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    children.extend(child);
                }
                for change in &step.changed_runs {
                    let child = match &change.child {
                        Some(new) => Some($crate::sql::executions::insert_execution!(tx, new)),
                        None => None,
                    };
                    let ended = change.status.is_terminal().then_some(now);
                    sqlx::query(
                        "UPDATE workflow_task_execution SET status = $1, execution = COALESCE($2, $12, execution), \
                         result = COALESCE($3, result), retry_count = $4, next_retry_at = $5, timed_out = $6, \
                         started_at = COALESCE(started_at, $7), completed_at = $8, updated = $9 \
                         WHERE id = $10 AND workflow_execution = $11",
                    )
                    .bind(change.status)
                    .bind(child.as_ref().map(|c: &attune_domain::execution::Execution| c.id))
                    .bind(&change.result)
                    .bind(change.retry_count)
                    .bind(change.next_retry_at)
                    .bind(change.timed_out)
                    .bind(child.as_ref().map(|_| now))
                    .bind(ended)
                    .bind(now)
                    .bind(change.id)
                    .bind(step.workflow)
                    .bind(change.follows)
                    .execute(&mut *tx)
                    .await?;
                    children.extend(child);
                }
                tx.commit().await?;
                Ok(Some(children))
            }

            async fn close_workflow_execution(
                &self,
                execution: attune_domain::Id,
                status: attune_domain::status::ExecutionStatus,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                sqlx::query(
                    "UPDATE workflow_execution SET status = $1, current_tasks = '[]', updated = $2 \
                     WHERE execution = $3 AND status = 'running'",
                )
                .bind(status)
                .bind($crate::sql::now())
                .bind(execution)
                .execute(self.write_pool(&changing))
                .await?;
                Ok(())
            }

            async fn list_task_executions(
                &self,
                workflow_execution: attune_domain::Id,
            ) -> $crate::StoreResult<Vec<attune_domain::workflow::WorkflowTaskExecution>> {
                Ok(sqlx::query_as("SELECT * FROM workflow_task_execution WHERE workflow_execution = $1 ORDER BY id")
                    .bind(workflow_execution)
                    .fetch_all(self.read_pool())
                    .await?)
            }

            async fn list_finished_runs(
                &self,
                workflow_execution: attune_domain::Id,
            ) -> $crate::StoreResult<Vec<$crate::FinishedRun>> {
                let changing = self.changing();
                let rows: Vec<$crate::sql::workflows::FinishedRow> = sqlx::query_as(&format!(
                    "SELECT t.*, c.status AS child_status, c.result AS child_result FROM workflow_task_execution t \
                     JOIN execution c ON c.id = t.execution \
                     WHERE t.workflow_execution = $1 AND t.status = 'running' AND c.status IN {} ORDER BY t.id",
                    $crate::sql::admissions::ENDED
                ))
                .bind(workflow_execution)
                .fetch_all(self.write_pool(&changing))
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|row| $crate::FinishedRun { run: row.run, status: row.child_status, result: row.child_result })
                    .collect())
            }

            async fn list_waiting_items(
                &self,
                workflow_execution: attune_domain::Id,
                task: &str,
                round: i32,
                from: i32,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::workflow::WorkflowTaskExecution>> {
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "SELECT * FROM workflow_task_execution WHERE workflow_execution = $1 AND task_name = $2 \
                     AND round = $3 AND status = 'requested' AND task_index >= $4 ORDER BY task_index LIMIT $5",
                )
                .bind(workflow_execution)
                .bind(task)
                .bind(round)
                .bind(from)
                .bind(i64::from(limit))
                .fetch_all(self.write_pool(&changing))
                .await?)
            }

            async fn list_item_outcomes(
                &self,
                workflow_execution: attune_domain::Id,
                task: &str,
                round: i32,
            ) -> $crate::StoreResult<Vec<$crate::ItemOutcome>> {
                let changing = self.changing();
                let rows: Vec<(Option<i32>, attune_domain::status::ExecutionStatus, Option<attune_domain::Json>)> =
                    sqlx::query_as(
                        "SELECT task_index, status, result FROM workflow_task_execution WHERE workflow_execution = $1 \
                         AND task_name = $2 AND round = $3 ORDER BY task_index",
                    )
                    .bind(workflow_execution)
                    .bind(task)
                    .bind(round)
                    .fetch_all(self.write_pool(&changing))
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(index, status, result)| $crate::ItemOutcome { index: index.unwrap_or(0), status, result })
                    .collect())
            }

            async fn list_unheard_children(
                &self,
                before: attune_domain::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::Execution>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT c.* FROM workflow_task_execution t JOIN execution c ON c.id = t.execution \
                     WHERE t.status = 'running' AND c.status IN {} AND c.finished < $1 \
                     ORDER BY c.finished, c.id LIMIT $2",
                    $crate::sql::admissions::ENDED
                ))
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn list_stalled_workflows(
                &self,
                before: attune_domain::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::execution::Execution>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT e.* FROM workflow_execution w JOIN execution e ON e.id = w.execution \
                     WHERE e.status = 'running' AND w.updated < $1 AND (w.status <> 'running' OR (NOT w.paused \
                     AND NOT EXISTS (SELECT 1 FROM workflow_task_execution t JOIN execution c ON c.id = t.execution \
                     WHERE t.workflow_execution = w.id AND t.status = 'running' AND c.status NOT IN {}))) \
                     ORDER BY w.updated, w.id LIMIT $2",
                    $crate::sql::admissions::ENDED
                ))
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?)
            }
        }
    };
}
pub(crate) use impl_workflow_store;
