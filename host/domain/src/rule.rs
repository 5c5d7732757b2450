//! Rules: when a trigger fires and the criteria match, run an action.

use serde::{Deserialize, Serialize};

use crate::{Id, Json, Timestamp};

/// A registered rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Rule {
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
    /// What it automates.
    pub description: Option<String>,
    /// The trigger it listens to (none once that trigger is deleted).
    pub trigger: Option<Id>,
    /// The trigger's ref.
    pub trigger_ref: String,
    /// Parameters for the trigger (e.g. timer settings).
    pub trigger_params: Json,
    /// Criteria: dotted path → `{type, pattern}`; all must match.
    pub criteria: Json,
    /// The action it runs (none once that action is deleted).
    pub action: Option<Id>,
    /// The action's ref.
    pub action_ref: String,
    /// Templated parameters for the action.
    pub action_params: Json,
    /// Disabled rules enforce nothing.
    pub enabled: bool,
    /// The identity that created it through the API (none for rules from pack files).
    pub created_by: Option<Id>,
    /// The identity that last wrote its definition through the API: executions it starts
    /// act as this identity (none for rules from pack files).
    pub updated_by: Option<Id>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A rule as declared in a pack or created through the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRule {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What it automates.
    pub description: Option<String>,
    /// The trigger's ref.
    pub trigger_ref: String,
    /// Parameters for the trigger.
    pub trigger_params: Json,
    /// Criteria.
    pub criteria: Json,
    /// The action's ref.
    pub action_ref: String,
    /// Templated parameters for the action.
    pub action_params: Json,
    /// Whether it is enabled.
    pub enabled: bool,
    /// The identity writing it through the API (none from pack files).
    #[serde(default)]
    pub author: Option<Id>,
}

/// The criteria operators a rule may use (`criteria.<path>.type`).
pub const CRITERIA_OPERATORS: &[&str] = &[
    "equals",
    "nequals",
    "iequals",
    "contains",
    "ncontains",
    "icontains",
    "incontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "lessthan",
    "greaterthan",
    "matchwildcard",
    "regex",
    "iregex",
    "matchregex",
    "timediff_lt",
    "timediff_gt",
    "exists",
    "nexists",
    "inside",
    "ninside",
    "search",
];
