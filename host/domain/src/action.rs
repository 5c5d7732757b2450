//! Actions: the things Attune runs.

use serde::{Deserialize, Serialize};

use crate::status::{OutputFormat, RunnerType};
use crate::{Id, Json, Timestamp};

/// A registered action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Action {
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
    /// What it does.
    pub description: Option<String>,
    /// Which runtime runs it.
    pub runner_type: RunnerType,
    /// Entry point file, relative to the pack's `actions/` directory (none for workflows).
    pub entry_point: Option<String>,
    /// Parameter schema: a map of parameter name → JSON-schema property, with the
    /// StackStorm extensions `required: true` and `secret: true`.
    pub param_schema: Json,
    /// JSON schema of the result, if declared.
    pub output_schema: Option<Json>,
    /// Native runtimes: how stdout becomes the result.
    pub output_format: OutputFormat,
    /// Wall-clock limit in seconds (server default when absent).
    pub timeout_s: Option<i64>,
    /// WASM limits asked for (`fuel`, `memory_mb`), capped by the server.
    pub limits: Json,
    /// Datastore keys this action may read as secrets.
    #[sqlx(json)]
    pub secrets: Vec<String>,
    /// WASM: hosts reachable through outbound HTTP.
    #[sqlx(json)]
    pub allowed_hosts: Vec<String>,
    /// Safe to run again if a worker died while running it.
    pub idempotent: bool,
    /// The workflow graph, for `runner_type: workflow`.
    pub workflow_def: Option<Id>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An action as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAction {
    /// Unique ref, `pack.name`.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What it does.
    pub description: Option<String>,
    /// Which runtime runs it.
    pub runner_type: RunnerType,
    /// Entry point file, relative to `actions/`.
    pub entry_point: Option<String>,
    /// Parameter schema (see [`Action::param_schema`]).
    pub param_schema: Json,
    /// JSON schema of the result.
    pub output_schema: Option<Json>,
    /// How stdout becomes the result.
    pub output_format: OutputFormat,
    /// Wall-clock limit in seconds.
    pub timeout_s: Option<i64>,
    /// WASM limits asked for.
    pub limits: Json,
    /// Datastore keys readable as secrets.
    pub secrets: Vec<String>,
    /// WASM outbound HTTP allowlist.
    pub allowed_hosts: Vec<String>,
    /// Safe to run again after a worker crash.
    pub idempotent: bool,
}

impl Action {
    /// Names of the parameters marked `secret: true`.
    pub fn secret_parameters(&self) -> Vec<&str> {
        secret_parameters(&self.param_schema)
    }

    /// The action as shown: the defaults of its secret parameters masked.
    pub fn masked(mut self) -> Self {
        self.param_schema = mask_secret_defaults(&self.param_schema);
        self
    }
}

/// `param_schema` with the `default` of every secret parameter shown as `********`.
pub fn mask_secret_defaults(param_schema: &Json) -> Json {
    let mut masked = param_schema.clone();
    if let Some(props) = masked.as_object_mut() {
        for prop in props.values_mut() {
            if prop.get("secret").and_then(Json::as_bool) == Some(true)
                && let Some(default) = prop.get_mut("default")
            {
                *default = Json::String(crate::MASK.into());
            }
        }
    }
    masked
}

/// Names of the parameters marked `secret: true` in a flat parameter schema.
pub fn secret_parameters(param_schema: &Json) -> Vec<&str> {
    param_schema
        .as_object()
        .map(|props| {
            props
                .iter()
                .filter(|(_, prop)| prop.get("secret").and_then(Json::as_bool) == Some(true))
                .map(|(name, _)| name.as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_secret_parameters() {
        let schema = serde_json::json!({
            "url": {"type": "string"},
            "token": {"type": "string", "secret": true},
            "debug": {"type": "boolean", "secret": false},
        });
        assert_eq!(secret_parameters(&schema), vec!["token"]);
        assert!(secret_parameters(&Json::Null).is_empty());
    }
}
