//! Policy admissions: the queues of concurrency and rate-limit policies.

use async_trait::async_trait;
use attune_domain::Id;
use attune_domain::admission::{ActionQueue, Admission, Check};
use attune_domain::status::ExecutionStatus;

use crate::StoreResult;

/// Admission of executions under policies, atomic across executors.
#[async_trait]
pub trait AdmissionStore: Send + Sync {
    /// Admits, queues or refuses execution `id`, if it is still in status `from`
    /// (`scheduling`: just taken by this executor; `queued`: waiting its turn), under every
    /// check, in one transaction that holds the execution's row until it ends (nobody moves
    /// it meanwhile; `Moved` when it was no longer in `from`): admissions under one policy take turns, whichever
    /// executor asks. An execution admitted before keeps its admission (its slot). Admitted
    /// ones end `scheduling`; held back ones `queued`, behind those that arrived before
    /// them in each group (FIFO); a refusal leaves the execution and every count as they were.
    async fn admit_execution(&self, id: Id, from: ExecutionStatus, checks: &[Check]) -> StoreResult<Admission>;
    /// The `(policy_ref, group_key)` groups `execution` was counted in. Once it has ended,
    /// it stops counting against concurrency limits (its rows go; rate-limit admissions
    /// stay until their window has passed).
    async fn release_admissions(&self, execution: Id) -> StoreResult<Vec<(String, String)>>;
    /// The queued executions of one group, in arrival order, at most `limit`.
    async fn queue_heads(&self, policy_ref: &str, group_key: &str, limit: u32) -> StoreResult<Vec<Id>>;
    /// Groups with queued executions, the longest waiting first, at most `limit`.
    async fn queued_groups(&self, limit: u32) -> StoreResult<Vec<(String, String)>>;
    /// Executions waiting in each policy's queue (every group together), by policy ref;
    /// policies with none waiting are left out.
    async fn queue_depths(&self) -> StoreResult<Vec<(String, u64)>>;
    /// An action's queue: executions under way, and those waiting with their positions.
    async fn action_queue(&self, action_ref: &str) -> StoreResult<ActionQueue>;
}
