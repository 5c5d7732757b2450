//! Admission: whether a policy lets an execution run now.
//!
//! Concurrency and rate-limit policies are checked by the scheduler through one atomic store
//! operation per execution: the store counts what each policy already admitted, compares it
//! with the limit and, in the same transaction, admits the execution, queues it (status
//! `queued`, in arrival order), or refuses it (`method: cancel`). The queue is the store's
//! `policy_admission` rows, so it survives restarts and is shared by every executor.

use serde::{Deserialize, Serialize};

use crate::execution::Execution;
use crate::status::PolicyMethod;
use crate::{Id, Timestamp};

/// What a policy limits, as the store counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most this many admitted and unfinished at once.
    Concurrent(i64),
    /// At most `threshold` admitted in any `window_s` seconds.
    PerWindow {
        /// Admissions per window.
        threshold: i64,
        /// The window's length.
        window_s: i64,
    },
}

impl Limit {
    /// The name stored with each admission row.
    pub fn kind(self) -> &'static str {
        match self {
            Limit::Concurrent(_) => "concurrency",
            Limit::PerWindow { .. } => "rate_limit",
        }
    }
}

/// One policy's say on one execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The policy.
    pub policy_ref: String,
    /// The group the execution counts in (see `Policy::group_key`).
    pub group_key: String,
    /// The limit.
    pub limit: Limit,
    /// Queue (`enqueue`) or end (`cancel`) what the limit holds back.
    pub method: PolicyMethod,
}

/// What an admission did.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Every policy admits it: it is `scheduling`, to be placed on a worker.
    Admitted(Execution),
    /// Held back: it is `queued` behind `position - 1` others of the same group, or until
    /// `retry_at` for a rate limit whose window is full.
    Queued {
        /// The execution, `queued`.
        execution: Execution,
        /// The policy holding it back.
        policy_ref: String,
        /// 1 for the head of the queue.
        position: i64,
        /// When a rate limit's window has room again.
        retry_at: Option<Timestamp>,
    },
    /// A `method: cancel` policy is at its limit: nothing was written; the caller ends the
    /// execution.
    Refused {
        /// The policy.
        policy_ref: String,
        /// Its limit.
        limit: Limit,
    },
    /// It was neither `scheduling` nor `queued` (another executor moved it): nothing done.
    Moved,
}

/// One execution waiting in an action's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Waiting {
    /// The execution.
    pub execution: Id,
    /// The policy it waits for (the one it is furthest back in).
    pub policy_ref: String,
    /// Its group in that policy (the grouping parameters' values, as JSON; `""` for none).
    pub group: String,
    /// 1 for the next to run in that group.
    pub position: i64,
    /// When it was queued.
    pub queued_at: Timestamp,
}

/// An action's queue: how many of its executions are admitted and unfinished, and those
/// waiting, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionQueue {
    /// The action.
    pub action_ref: String,
    /// Executions under way: on a worker (scheduled, running, canceling), or admitted and
    /// being placed.
    pub running: i64,
    /// Executions `queued`.
    pub depth: i64,
    /// The waiting executions in the order they queued (at most 1,000).
    pub waiting: Vec<Waiting>,
}
