//! Executions and their output.

use async_trait::async_trait;
use attune_domain::execution::{
    Execution, ExecutionCount, ExecutionFilter, ExecutionPatch, NewExecution, OutputLine, StaleQuery,
};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::ExecutionStatus;
use attune_domain::{Id, Timestamp};

use crate::StoreResult;

/// Executions: every status change is a conditional update, so that concurrent or replayed
/// requests cannot move an execution twice.
#[async_trait]
pub trait ExecutionStore: Send + Sync {
    /// Records an execution in status `requested`.
    async fn create_execution(&self, execution: &NewExecution) -> StoreResult<Execution>;
    /// An execution by id.
    async fn get_execution(&self, id: Id) -> StoreResult<Execution>;
    /// Executions, newest first.
    async fn list_executions(&self, filter: &ExecutionFilter, page: PageRequest) -> StoreResult<Page<Execution>>;
    /// Moves execution `id` to `to` and applies `patch`, only if its status is one of
    /// `from`. Returns the updated execution, or `None` when the status did not match (someone
    /// else moved it first). Errors with not-found when there is no such execution.
    async fn transition_execution(
        &self,
        id: Id,
        from: &[ExecutionStatus],
        to: ExecutionStatus,
        patch: &ExecutionPatch,
    ) -> StoreResult<Option<Execution>>;
    /// Deletes an execution (its output and child rows go with it; children keep their
    /// history with `parent` unset).
    async fn delete_execution(&self, id: Id) -> StoreResult<()>;
    /// Appends output lines `(stream, text)` after the execution's last line. Concurrent
    /// appends to one execution take turns, so its lines keep one gapless sequence. Errors
    /// with not-found when there is no such execution. Returns the `seq` of the first line
    /// appended (the others follow it, one by one); of the next line when none was given.
    async fn append_output(&self, execution: Id, lines: &[(String, String)]) -> StoreResult<i64>;
    /// Output lines with `seq > after`, in order, at most `limit`.
    async fn list_output(&self, execution: Id, after: i64, limit: i64) -> StoreResult<Vec<OutputLine>>;
    /// Delayed executions whose `run_after` has come, soonest first.
    async fn list_due_executions(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Execution>>;
    /// The status of execution `id` (a cheap read of one column).
    async fn get_execution_status(&self, id: Id) -> StoreResult<ExecutionStatus>;
    /// The execution that retries `id` (a retry policy's next attempt), if there is one.
    async fn get_retry_of(&self, id: Id) -> StoreResult<Option<Execution>>;
    /// Executions of `action_refs` that ended in one of `statuses` between `after` and
    /// `before` and that no execution retries yet: the attempts a retry policy may still
    /// owe a retry (when the end was handled by no executor). Oldest end first.
    async fn list_unretried_executions(
        &self,
        action_refs: &[String],
        statuses: &[ExecutionStatus],
        after: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Execution>>;
    /// Executions the reconciler may have to recover, oldest first (an indexed query).
    async fn list_stale_executions(&self, query: &StaleQuery) -> StoreResult<Vec<Execution>>;
    /// Executions created at or after `since`, counted by action and status (ordered by
    /// action, then status).
    async fn count_executions(&self, since: Timestamp) -> StoreResult<Vec<ExecutionCount>>;
}
