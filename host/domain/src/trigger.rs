//! Triggers (kinds of event) and sensors (what watches for them).

use serde::{Deserialize, Serialize};

use crate::status::{RunnerType, SensorStatus};
use crate::{Id, Json, Timestamp};

/// A registered trigger type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Trigger {
    /// Unique id.
    pub id: Id,
    /// Unique ref, `pack.name`.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack.
    pub pack: Id,
    /// Owning pack's ref.
    pub pack_ref: String,
    /// Display name.
    pub label: String,
    /// What it signals.
    pub description: Option<String>,
    /// Disabled triggers create no events.
    pub enabled: bool,
    /// Schema of the trigger's parameters (set by sensors or rules).
    pub param_schema: Json,
    /// JSON schema of event payloads.
    pub payload_schema: Json,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A trigger as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTrigger {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What it signals.
    pub description: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Schema of the trigger's parameters.
    pub param_schema: Json,
    /// JSON schema of event payloads.
    pub payload_schema: Json,
}

/// A registered sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Sensor {
    /// Unique id.
    pub id: Id,
    /// Unique ref, `pack.name`.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack.
    pub pack: Id,
    /// Owning pack's ref.
    pub pack_ref: String,
    /// Display name.
    pub label: String,
    /// What it watches.
    pub description: Option<String>,
    /// Which runtime runs it.
    pub runner_type: RunnerType,
    /// Entry point file, relative to the pack's `sensors/` directory.
    pub entry_point: Option<String>,
    /// Refs of the triggers it emits events for.
    #[sqlx(json)]
    pub trigger_types: Vec<String>,
    /// Schema of its configuration.
    pub param_schema: Json,
    /// Its configuration values.
    pub config: Json,
    /// WASM sensors: seconds between polls.
    pub poll_interval_s: Option<i64>,
    /// Disabled sensors are not started.
    pub enabled: bool,
    /// Whether the sensor service is running it.
    pub status: SensorStatus,
    /// Why it is failing, or what it last did.
    pub status_detail: Option<String>,
    /// When its status last changed.
    pub status_updated: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A sensor as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSensor {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What it watches.
    pub description: Option<String>,
    /// Which runtime runs it.
    pub runner_type: RunnerType,
    /// Entry point, relative to `sensors/`.
    pub entry_point: Option<String>,
    /// Refs of the triggers it emits.
    pub trigger_types: Vec<String>,
    /// Schema of its configuration.
    pub param_schema: Json,
    /// Its configuration values.
    pub config: Json,
    /// Seconds between polls.
    pub poll_interval_s: Option<i64>,
    /// Whether it is enabled.
    pub enabled: bool,
}
