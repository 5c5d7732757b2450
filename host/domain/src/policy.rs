//! Execution policies bound to an action: concurrency, rate limits, retries.

use serde::{Deserialize, Serialize};

use crate::status::{PolicyMethod, PolicyType};
use crate::{Id, Json, Timestamp};

/// A registered policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Policy {
    /// Unique id.
    pub id: Id,
    /// Unique ref, `pack.name`.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack.
    pub pack: Id,
    /// Owning pack's ref.
    pub pack_ref: String,
    /// The action it governs (none once deleted).
    pub action: Option<Id>,
    /// The action's ref.
    pub action_ref: String,
    /// What it limits.
    pub policy_type: PolicyType,
    /// What happens to executions not admitted now (concurrency, rate limit).
    pub method: Option<PolicyMethod>,
    /// The limit (concurrent executions, executions per window, retries).
    pub threshold: i64,
    /// Count separately per distinct value of these parameters.
    #[sqlx(json)]
    pub parameters: Vec<String>,
    /// Type-specific settings (`window_s`; `delay_s`, `on`).
    pub settings: Json,
    /// Disabled policies are not applied.
    pub enabled: bool,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A policy as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPolicy {
    /// Unique ref.
    pub r#ref: String,
    /// The action's ref.
    pub action_ref: String,
    /// What it limits.
    pub policy_type: PolicyType,
    /// What happens to executions not admitted now.
    pub method: Option<PolicyMethod>,
    /// The limit.
    pub threshold: i64,
    /// Grouping parameters.
    pub parameters: Vec<String>,
    /// Type-specific settings.
    pub settings: Json,
    /// Whether it is applied.
    pub enabled: bool,
}
