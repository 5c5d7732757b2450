//! Workers: processes that run executions.

use serde::{Deserialize, Serialize};

use crate::status::{WorkerStatus, WorkerType};
use crate::{Id, Json, Timestamp};

/// A registered worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Worker {
    /// Unique id.
    pub id: Id,
    /// Unique name.
    pub name: String,
    /// How it is deployed.
    pub worker_type: WorkerType,
    /// Runner types it can run.
    #[sqlx(json)]
    pub runner_types: Vec<String>,
    /// Host it runs on.
    pub host: Option<String>,
    /// Port, for remote workers.
    pub port: Option<i32>,
    /// Its health.
    pub status: WorkerStatus,
    /// Capacity and other capabilities.
    pub capabilities: Json,
    /// Last heartbeat received.
    pub last_heartbeat: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A worker announcing itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWorker {
    /// Unique name.
    pub name: String,
    /// How it is deployed.
    pub worker_type: WorkerType,
    /// Runner types it can run.
    pub runner_types: Vec<String>,
    /// Host it runs on.
    pub host: Option<String>,
    /// Port, for remote workers.
    pub port: Option<i32>,
    /// Capacity and other capabilities.
    pub capabilities: Json,
}

impl NewWorker {
    /// A local worker `name` running `runner_types`, with no address or capabilities.
    pub fn local(name: &str, runner_types: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            worker_type: WorkerType::Local,
            runner_types: runner_types.iter().map(|r| (*r).to_owned()).collect(),
            host: None,
            port: None,
            capabilities: Json::Object(Default::default()),
        }
    }
}
