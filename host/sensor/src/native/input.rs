//! What a native sensor is given: its stdin document and the `ATTUNE_*` variables.
//!
//! As for actions, anything configurable travels on stdin, never in argv or the
//! environment, as one JSON line:
//!
//! ```json
//! {"parameters": {...the sensor's config...}, "config": {...the pack's config...},
//!  "context": {"sensor_ref": "pack.name", "pack_ref": "pack", "trigger_types": ["pack.t"], "start": 1}}
//! ```
//!
//! `start` counts the process's starts (1, then 2 after the first restart...). The
//! language may put something ahead of the document — shell sensors get the same
//! `PARAM_<NAME>` variables as shell actions — so the document is built with the action
//! input type the languages read. The environment is an action's: `PATH` (the pack's
//! environment first), `HOME`, `LANG`, plus `ATTUNE_SENSOR`, `ATTUNE_PACK` and, when
//! configured, `ATTUNE_API_URL`.

use std::collections::BTreeMap;
use std::ffi::OsString;

use attune_runtime_api::ExecutionContext;
use attune_runtime_native::{ActionInput, ScriptLanguage};
use serde::Serialize;

use crate::custom::CustomSensor;

/// The stdin document of one start.
#[derive(Debug, Serialize)]
struct SensorInput<'a> {
    parameters: &'a serde_json::Value,
    config: &'a serde_json::Value,
    context: SensorContext<'a>,
}

/// Who the sensor is.
#[derive(Debug, Serialize)]
struct SensorContext<'a> {
    sensor_ref: &'a str,
    pack_ref: &'a str,
    trigger_types: &'a [String],
    start: u64,
}

/// The bytes written to the sensor's stdin for its `start`-th start.
pub(crate) fn stdin(language: &dyn ScriptLanguage, unit: &CustomSensor, start: u64) -> Vec<u8> {
    let no_secrets = BTreeMap::new();
    let context = ExecutionContext {
        action_ref: unit.sensor.r#ref.clone(),
        pack_ref: unit.pack.r#ref.clone(),
        attempt: u32::try_from(start).unwrap_or(u32::MAX),
        ..ExecutionContext::default()
    };
    // What the language reads for its preamble: the parameters, and no secrets.
    let as_action = ActionInput {
        parameters: &unit.sensor.config,
        secrets: &no_secrets,
        context: &context,
        config: &unit.pack.config,
        api_token: None,
    };
    let mut bytes = language.stdin_preamble(&as_action).unwrap_or_default();
    let input = SensorInput {
        parameters: &unit.sensor.config,
        config: &unit.pack.config,
        context: SensorContext {
            sensor_ref: &unit.sensor.r#ref,
            pack_ref: &unit.pack.r#ref,
            trigger_types: &unit.sensor.trigger_types,
            start,
        },
    };
    serde_json::to_writer(&mut bytes, &input).expect("JSON values always serialize");
    bytes.push(b'\n');
    bytes
}

/// The `ATTUNE_*` variables of a sensor.
pub(crate) fn variables(unit: &CustomSensor, api_url: Option<&str>) -> Vec<(OsString, OsString)> {
    let mut vars = vec![
        ("ATTUNE_SENSOR".into(), unit.sensor.r#ref.clone().into()),
        ("ATTUNE_PACK".into(), unit.pack.r#ref.clone().into()),
    ];
    if let Some(url) = api_url {
        vars.push(("ATTUNE_API_URL".into(), url.into()));
    }
    vars
}
