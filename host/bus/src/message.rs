//! The messages roles exchange, and the queues they travel on.

use attune_domain::Id;
use attune_domain::status::ExecutionStatus;
use serde::{Deserialize, Serialize};

/// A hint that something needs attention. Small and idempotent: handlers re-read the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// An execution was requested and needs scheduling (executor).
    ExecutionRequested {
        /// The execution.
        execution: Id,
    },
    /// An execution was assigned to a worker (that worker).
    ExecutionScheduled {
        /// The execution.
        execution: Id,
    },
    /// A running execution should be stopped (its worker).
    CancelRequested {
        /// The execution.
        execution: Id,
    },
    /// An execution reached a terminal status (executor: policies, workflows).
    ExecutionFinished {
        /// The execution.
        execution: Id,
        /// Its terminal status.
        status: ExecutionStatus,
        /// The workflow execution it is a task of, which advances on it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<Id>,
    },
    /// An event was recorded and its rules need evaluating.
    EventCreated {
        /// The event.
        event: Id,
    },
}

/// A named queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Executions to schedule and finished executions: consumed by executors.
    Executor,
    /// Work for one worker.
    Worker(Id),
    /// Events to evaluate against rules.
    Events,
}

impl Queue {
    /// The kind of queue, a bounded label for metrics: `executor`, `worker` or `events`.
    pub fn kind(&self) -> &'static str {
        match self {
            Queue::Executor => "executor",
            Queue::Worker(_) => "worker",
            Queue::Events => "events",
        }
    }

    /// The queue's name on the broker.
    pub fn name(&self) -> String {
        match self {
            Queue::Executor => "attune.executor".into(),
            Queue::Worker(id) => format!("attune.worker.{id}"),
            Queue::Events => "attune.events".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json() {
        let message = Message::ExecutionFinished { execution: 7, status: ExecutionStatus::Failed, parent: None };
        let text = serde_json::to_string(&message).unwrap();
        assert_eq!(text, r#"{"type":"execution_finished","execution":7,"status":"failed"}"#);
        assert_eq!(serde_json::from_str::<Message>(&text).unwrap(), message);
        assert_eq!(Queue::Worker(3).name(), "attune.worker.3");
    }
}
