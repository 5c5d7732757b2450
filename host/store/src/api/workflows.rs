//! Persisted workflow state.

use async_trait::async_trait;
use attune_domain::Id;
use attune_domain::workflow::{NewWorkflowTaskExecution, WorkflowExecution, WorkflowTaskExecution};

use crate::StoreResult;

/// The state of running workflows, saved after every transition so that a restart resumes
/// where it stopped.
#[async_trait]
pub trait WorkflowStore: Send + Sync {
    /// Starts tracking the workflow run of execution `execution` (status `running`).
    async fn create_workflow_execution(
        &self,
        execution: Id,
        workflow_ref: &str,
        variables: &attune_domain::Json,
    ) -> StoreResult<WorkflowExecution>;
    /// The workflow run of an execution.
    async fn get_workflow_execution(&self, execution: Id) -> StoreResult<WorkflowExecution>;
    /// Saves a workflow run's state (every mutable field of `state`).
    async fn save_workflow_execution(&self, state: &WorkflowExecution) -> StoreResult<WorkflowExecution>;

    /// Records a task run.
    async fn create_task_execution(&self, task: &NewWorkflowTaskExecution) -> StoreResult<WorkflowTaskExecution>;
    /// Saves a task run's state (every mutable field of `task`).
    async fn save_task_execution(&self, task: &WorkflowTaskExecution) -> StoreResult<WorkflowTaskExecution>;
    /// The task runs of a workflow run, in creation order.
    async fn list_task_executions(&self, workflow_execution: Id) -> StoreResult<Vec<WorkflowTaskExecution>>;
}
