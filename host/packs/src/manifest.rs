//! The pack file formats (SPEC §5). Every struct rejects unknown keys, so a typo is an error
//! naming the key rather than a silently ignored setting.

use attune_domain::Json;
use attune_domain::identity::Grant;
use attune_domain::status::{OutputFormat, PolicyMethod, PolicyType, RunnerType};
use serde::Deserialize;

/// `pack.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackManifest {
    #[serde(rename = "ref")]
    pub pack_ref: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub version: String,
    pub author: Option<String>,
    #[serde(default)]
    pub config_schema: Json,
    #[serde(default)]
    pub config: Json,
    #[serde(default)]
    pub runtime_deps: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// How a component names itself: a full `ref`, or a `name` within the pack (and optionally
/// the `pack`, which must be the one it is in). When neither is given the file name is used.
/// (serde cannot combine `flatten` with `deny_unknown_fields`, so every manifest repeats
/// the three fields and this trait reads them.)
pub trait Named {
    /// `(ref, name, pack)` as written.
    fn naming(&self) -> (Option<&str>, Option<&str>, Option<&str>);
}

macro_rules! named {
    ($($manifest:ty),+) => {
        $(impl Named for $manifest {
            fn naming(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
                (self.component_ref.as_deref(), self.name.as_deref(), self.pack.as_deref())
            }
        })+
    };
}
named!(
    ActionManifest,
    TriggerManifest,
    SensorManifest,
    RuleManifest,
    WorkflowManifest,
    PolicyManifest,
    PermissionSetManifest
);

/// `actions/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub runner_type: RunnerType,
    pub entry_point: Option<String>,
    #[serde(default)]
    pub parameters: Json,
    pub output_schema: Option<Json>,
    pub output_format: Option<OutputFormat>,
    pub timeout: Option<i64>,
    pub limits: Option<LimitsManifest>,
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    #[serde(default)]
    pub idempotent: bool,
}

/// An action's `limits`.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsManifest {
    pub fuel: Option<u64>,
    pub memory_mb: Option<u64>,
}

/// `triggers/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Json,
    #[serde(default)]
    pub payload_schema: Json,
    pub enabled: Option<bool>,
}

/// `sensors/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub runner_type: RunnerType,
    pub entry_point: Option<String>,
    pub trigger_types: Vec<String>,
    #[serde(default)]
    pub parameters: Json,
    pub poll_interval: Option<i64>,
    #[serde(default)]
    pub config: Json,
    pub enabled: Option<bool>,
}

/// `rules/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub trigger: String,
    #[serde(default)]
    pub trigger_parameters: Json,
    #[serde(default)]
    pub criteria: Json,
    pub action: String,
    #[serde(default)]
    pub parameters: Json,
    pub enabled: Option<bool>,
}

/// `workflows/<name>.yaml`: action metadata and the graph in one file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    #[serde(default)]
    pub parameters: Json,
    pub output_schema: Option<Json>,
    pub timeout: Option<i64>,
    #[serde(default)]
    pub vars: Json,
    pub tasks: serde_json::Map<String, Json>,
    #[serde(default)]
    pub output: Json,
    #[serde(default)]
    pub tags: Vec<String>,
    pub enabled: Option<bool>,
}

/// `policies/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub action: String,
    #[serde(rename = "type")]
    pub policy_type: PolicyType,
    pub threshold: Option<i64>,
    pub method: Option<PolicyMethod>,
    #[serde(default)]
    pub parameters: Vec<String>,
    pub window_s: Option<i64>,
    pub count: Option<i64>,
    pub delay_s: Option<i64>,
    pub on: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// `permission_sets/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetManifest {
    #[serde(rename = "ref")]
    pub component_ref: Option<String>,
    pub name: Option<String>,
    pub pack: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub grants: Vec<Grant>,
}
