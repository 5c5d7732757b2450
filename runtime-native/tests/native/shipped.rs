//! Running the actions of the packs shipped in `packs/` as the worker would: metadata read
//! from `actions/<name>.yaml`, parameter defaults applied, runner and output format taken
//! from the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use attune_runtime_api::{ExecutionRequest, OutputFormat};
use serde_json::{Map, Value};

use crate::support::TestPack;

/// The repository's `packs/<name>` directory.
pub fn shipped_pack(name: &str) -> TestPack {
    TestPack { name: name.to_owned(), dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../packs").join(name) }
}

/// One action's metadata, as far as a native runtime cares.
pub struct ShippedAction {
    pub runner_type: String,
    entry_point: PathBuf,
    output_format: OutputFormat,
    timeout: Option<Duration>,
    defaults: Map<String, Value>,
}

impl ShippedAction {
    /// Reads `actions/<name>.yaml` of `pack`.
    pub fn load(pack: &TestPack, name: &str) -> Self {
        let file = pack.dir.join("actions").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let meta: Value = serde_yaml_ng::from_str(&text).unwrap();
        let entry = meta["entry_point"].as_str().expect("entry_point");
        let defaults = meta["parameters"]
            .as_object()
            .map(|parameters| {
                parameters
                    .iter()
                    .filter_map(|(name, schema)| Some((name.clone(), schema.get("default")?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            runner_type: meta["runner_type"].as_str().expect("runner_type").to_owned(),
            entry_point: pack.dir.join("actions").join(entry),
            output_format: serde_json::from_value(meta["output_format"].clone()).unwrap_or_default(),
            timeout: meta["timeout"].as_u64().map(Duration::from_secs),
            defaults,
        }
    }

    /// A request with `parameters` over the declared defaults.
    pub fn request(&self, pack: &TestPack, name: &str, parameters: Value) -> ExecutionRequest {
        let mut merged = self.defaults.clone();
        merged.extend(parameters.as_object().cloned().unwrap_or_default());
        let mut request = pack.request(&self.entry_point, Value::Object(merged));
        request.context.action_ref = format!("{}.{name}", pack.name);
        request.output_format = self.output_format;
        if let Some(timeout) = self.timeout {
            request.limits.timeout = timeout;
        }
        request
    }
}
