//! Runtimes: the kinds of environment code runs in (`wasm`, `shell`, `python`...).

use serde::{Deserialize, Serialize};

use crate::{Id, Json, Timestamp};

/// A known runtime. Workers advertise the runtimes they can run; the scheduler assigns an
/// execution only to a worker advertising its action's runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Runtime {
    /// Unique id.
    pub id: Id,
    /// Unique ref (`core.wasm`).
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack, when defined by one.
    pub pack: Option<Id>,
    /// Owning pack's ref.
    pub pack_ref: Option<String>,
    /// The runner type it runs (`wasm`), unique.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Available distributions and how to verify them.
    pub distributions: Json,
    /// What installing it requires.
    pub installation: Json,
    /// How code is executed.
    pub execution_config: Json,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A runtime to register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRuntime {
    /// Unique ref.
    pub r#ref: String,
    /// Runner type it runs.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// How code is executed.
    pub execution_config: Json,
}
