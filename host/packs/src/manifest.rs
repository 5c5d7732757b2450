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

/// An action's `limits`: `fuel` for WASM actions; `processes`, `open_files`, `cpu_s` and
/// `tmp_mb` for native ones; `memory_mb` for both.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsManifest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_files: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_s: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmp_mb: Option<u64>,
}

impl LimitsManifest {
    /// Why these limits do not suit an action of `runner_type`, if they do not.
    pub fn check(&self, wasm: bool) -> Result<(), String> {
        let native_only = [
            ("processes", self.processes),
            ("open_files", self.open_files),
            ("cpu_s", self.cpu_s),
            ("tmp_mb", self.tmp_mb),
        ];
        let wasm_only = [("fuel", self.fuel)];
        let (misplaced, kind) =
            if wasm { (&native_only[..], "native (python, shell, node)") } else { (&wasm_only[..], "wasm") };
        if let Some((name, _)) = misplaced.iter().find(|(_, value)| value.is_some()) {
            return Err(format!("limits.{name} applies to {kind} actions only"));
        }
        let every = [("memory_mb", self.memory_mb)].into_iter().chain(native_only).chain(wasm_only);
        if let Some((name, _)) = every.into_iter().find(|(_, value)| *value == Some(0)) {
            return Err(format!("limits.{name} must be greater than 0"));
        }
        Ok(())
    }
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
    pub backoff: Option<String>,
    pub max_delay_s: Option<i64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_against_the_runtime_that_enforces_them() {
        let parse = |yaml: &str| serde_yaml_ng::from_str::<LimitsManifest>(yaml).unwrap();
        assert_eq!(parse("{fuel: 10, memory_mb: 64}").check(true), Ok(()));
        assert_eq!(parse("{processes: 8, open_files: 64, cpu_s: 5, tmp_mb: 16, memory_mb: 256}").check(false), Ok(()));
        assert_eq!(parse("{fuel: 10}").check(false), Err("limits.fuel applies to wasm actions only".into()));
        assert_eq!(
            parse("{processes: 4}").check(true),
            Err("limits.processes applies to native (python, shell, node) actions only".into())
        );
        assert_eq!(parse("{memory_mb: 0}").check(false), Err("limits.memory_mb must be greater than 0".into()));
    }
}
