//! SQL for [`crate::WorkflowStore`].

/// Implements [`crate::WorkflowStore`] for a backend.
macro_rules! impl_workflow_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::WorkflowStore for $store {
            async fn create_workflow_execution(
                &self,
                execution: attune_domain::Id,
                workflow_ref: &str,
                variables: &attune_domain::Json,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowExecution> {
                Ok(sqlx::query_as(
                    "INSERT INTO workflow_execution (execution, workflow_def, variables, status, created, updated) \
                     VALUES ($1, (SELECT id FROM workflow_definition WHERE ref = $2), $3, $4, $5, $5) RETURNING *",
                )
                .bind(execution)
                .bind(workflow_ref)
                .bind(variables)
                .bind(attune_domain::status::ExecutionStatus::Running)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool())
                .await?)
            }

            async fn get_workflow_execution(
                &self,
                execution: attune_domain::Id,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowExecution> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::workflow::WorkflowExecution,
                    "SELECT * FROM workflow_execution WHERE execution = $1", "workflow execution", execution)
            }

            async fn save_workflow_execution(
                &self,
                state: &attune_domain::workflow::WorkflowExecution,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowExecution> {
                sqlx::query_as(
                    "UPDATE workflow_execution SET current_tasks = $1, completed_tasks = $2, failed_tasks = $3, \
                     skipped_tasks = $4, variables = $5, task_graph = $6, status = $7, error_message = $8, \
                     paused = $9, pause_reason = $10, updated = $11 WHERE id = $12 RETURNING *",
                )
                .bind(sqlx::types::Json(&state.current_tasks))
                .bind(sqlx::types::Json(&state.completed_tasks))
                .bind(sqlx::types::Json(&state.failed_tasks))
                .bind(sqlx::types::Json(&state.skipped_tasks))
                .bind(&state.variables)
                .bind(&state.task_graph)
                .bind(state.status)
                .bind(&state.error_message)
                .bind(state.paused)
                .bind(&state.pause_reason)
                .bind($crate::sql::now())
                .bind(state.id)
                .fetch_optional(self.write_pool())
                .await?
                .ok_or_else(|| $crate::StoreError::not_found("workflow execution", state.id))
            }

            async fn create_task_execution(
                &self,
                task: &attune_domain::workflow::NewWorkflowTaskExecution,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowTaskExecution> {
                Ok(sqlx::query_as(
                    "INSERT INTO workflow_task_execution (workflow_execution, execution, task_name, task_index, \
                     task_batch, status, max_retries, timeout_seconds, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *",
                )
                .bind(task.workflow_execution)
                .bind(task.execution)
                .bind(&task.task_name)
                .bind(task.task_index)
                .bind(task.task_batch)
                .bind(task.status)
                .bind(task.max_retries)
                .bind(task.timeout_seconds)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool())
                .await?)
            }

            async fn save_task_execution(
                &self,
                task: &attune_domain::workflow::WorkflowTaskExecution,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowTaskExecution> {
                sqlx::query_as(
                    "UPDATE workflow_task_execution SET execution = $1, status = $2, started_at = $3, \
                     completed_at = $4, duration_ms = $5, result = $6, error = $7, retry_count = $8, \
                     next_retry_at = $9, timed_out = $10, updated = $11 WHERE id = $12 RETURNING *",
                )
                .bind(task.execution)
                .bind(task.status)
                .bind(task.started_at)
                .bind(task.completed_at)
                .bind(task.duration_ms)
                .bind(&task.result)
                .bind(&task.error)
                .bind(task.retry_count)
                .bind(task.next_retry_at)
                .bind(task.timed_out)
                .bind($crate::sql::now())
                .bind(task.id)
                .fetch_optional(self.write_pool())
                .await?
                .ok_or_else(|| $crate::StoreError::not_found("workflow task", task.id))
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
        }
    };
}
pub(crate) use impl_workflow_store;
