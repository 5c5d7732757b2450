//! What the engine asks of its caller.

use async_trait::async_trait;
use attune_domain::execution::NewExecution;
use attune_domain::status::ExecutionStatus;
use attune_domain::{Id, Timestamp};
use attune_templates::KvLookup;
use serde_json::Value;

/// The caller could not answer (the store is unreachable): the step is abandoned, to be
/// computed again later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError(pub String);

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostError {}

/// A child execution to make for a task run.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch<'a> {
    /// The task.
    pub task: &'a str,
    /// The action it runs.
    pub action: &'a str,
    /// Its rendered parameters.
    pub parameters: Value,
    /// Parameters that hold a secret value (sealed like secret parameters).
    pub seal_also: Vec<String>,
    /// The task's `timeout`, seconds.
    pub timeout_s: Option<u64>,
}

/// An item of a `with` task waiting its turn.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingItem {
    /// Its task run.
    pub run: Id,
    /// Its index.
    pub index: i32,
    /// The item.
    pub item: Value,
}

/// How one item ended: its index, its run's status, its result.
pub type ItemOutcome = (i32, ExecutionStatus, Option<Value>);

/// The engine's access to the world, for one step of one run.
#[async_trait]
pub trait Host: Send + Sync {
    /// The child execution that runs `launch` (its action's schema checked, defaults
    /// applied, secrets sealed, `parent` set). `Err` says why the task cannot run it; the
    /// run fails with that message.
    async fn child(&self, launch: Launch<'_>) -> Result<NewExecution, String>;

    /// A new attempt of child `failed` (same action snapshot and parameters), to be
    /// requested at `run_after` (now when `None`).
    async fn retry(&self, failed: Id, attempt: i32, run_after: Option<Timestamp>) -> Result<NewExecution, HostError>;

    /// Items of round `round` of `task` from index `from`, in order, at most `limit`.
    async fn waiting_items(&self, task: &str, round: i32, from: u32, limit: u32)
    -> Result<Vec<WaitingItem>, HostError>;

    /// How every item of round `round` of `task` ended so far, by index.
    async fn item_outcomes(
        &self,
        task: &str,
        round: i32,
    ) -> Result<Vec<(i32, ExecutionStatus, Option<Value>)>, HostError>;

    /// Where `kv("name")` reads.
    fn kv(&self) -> &dyn KvLookup;

    /// The workflow's parameters, in clear.
    fn input(&self) -> &Value;

    /// Secret values the templates may see (sealed parameters): whatever holds one is
    /// sealed too.
    fn secrets(&self) -> &[String];

    /// Now.
    fn now(&self) -> Timestamp;
}
