//! Every action and sensor of `packs/examples-wasm`, run through the runtime as the worker
//! would: entry point, limits, secrets and allowed hosts taken from its metadata.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::{ExecutionRequest, FailureKind, KvStore, LimitPolicy, MemoryKv, RequestedLimits, Runtime};
use attune_runtime_wasm::build::locate_componentize_py;
use attune_runtime_wasm::{SensorEvent, SensorSpec, WasmRuntime};
use serde::Deserialize;
use serde_json::json;

use crate::support::http_server::TestServer;
use crate::support::{Sandbox, recorded_io, request, runtime_on};

const TESTED_ACTIONS: &[&str] = &["echo", "http_get", "report", "upcase", "use_secret"];

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packs/examples-wasm")
}

/// The parts of an action's metadata the runtime is given.
#[derive(Deserialize)]
struct ActionMetadata {
    entry_point: String,
    timeout: Option<u64>,
    limits: Option<RequestedMemoryAndFuel>,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
}

#[derive(Deserialize)]
struct RequestedMemoryAndFuel {
    fuel: Option<u64>,
    memory_mb: Option<u64>,
}

/// A request for example action `name`, as the worker builds it from the metadata.
fn example_request(name: &str, parameters: serde_json::Value) -> ExecutionRequest {
    let actions = pack_dir().join("actions");
    let yaml = std::fs::read_to_string(actions.join(format!("{name}.yaml"))).unwrap();
    let metadata: ActionMetadata = serde_yaml_ng::from_str(&yaml).unwrap();
    let mut request = request(&actions.join(&metadata.entry_point), parameters);
    request.context.action_ref = format!("examples-wasm.{name}");
    request.context.pack_ref = "examples-wasm".into();
    request.limits = LimitPolicy::default().resolve(&RequestedLimits {
        timeout_s: metadata.timeout,
        fuel: metadata.limits.as_ref().and_then(|l| l.fuel),
        memory_mb: metadata.limits.as_ref().and_then(|l| l.memory_mb),
        ..RequestedLimits::default()
    });
    request.allowed_hosts = metadata.allowed_hosts;
    request.secrets = metadata.secrets.iter().map(|name| (name.clone(), format!("value-of-{name}"))).collect();
    request
}

#[test]
fn every_example_action_is_tested() {
    let mut names: Vec<String> = std::fs::read_dir(pack_dir().join("actions"))
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            (path.extension()? == "yaml").then_some(stem)
        })
        .collect();
    names.sort();
    assert_eq!(names, TESTED_ACTIONS);
}

#[tokio::test]
async fn echo_returns_its_parameters() {
    let sandbox = Sandbox::new();
    let (io, _) = recorded_io();
    let outcome = sandbox.runtime.execute(example_request("echo", json!({"message": "hi"})), io).await;
    assert_eq!(outcome.result, Ok(json!({"message": "hi"})));
    assert_eq!(outcome.log.text, "[info] echoing the parameters\n");
}

#[tokio::test]
async fn upcase_transforms_string_values_only() {
    let sandbox = Sandbox::new();
    let (io, _) = recorded_io();
    let parameters = json!({"text": "hello \"world\"\n", "tags": ["a", "b2"], "count": 3});
    let outcome = sandbox.runtime.execute(example_request("upcase", parameters), io).await;
    assert_eq!(outcome.result, Ok(json!({"text": "HELLO \"WORLD\"\n", "tags": ["A", "B2"], "count": 3})));
}

#[tokio::test]
async fn report_publishes_its_parameters_as_an_artifact() {
    let sandbox = Sandbox::new();
    let (io, _) = recorded_io();
    let parameters = json!({"title": "nightly", "lines": ["ok"]});
    let outcome = sandbox.runtime.execute(example_request("report", parameters.clone()), io).await;
    assert_eq!(outcome.result, Ok(json!({"published": ["parameters.json"]})));
    let [artifact] = outcome.artifacts.as_slice() else { panic!("one artifact: {:?}", outcome.artifacts) };
    assert_eq!(artifact.name, "parameters.json");
    let attune_runtime_api::ArtifactContent::File { media_type, bytes } = &artifact.content else { panic!("a file") };
    assert_eq!(media_type, "application/json");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(bytes).unwrap(), parameters);
}

#[tokio::test]
async fn use_secret_reads_its_granted_secret() {
    let sandbox = Sandbox::new();
    let (io, _) = recorded_io();
    let granted = example_request("use_secret", json!({}));
    assert_eq!(granted.secrets["api_token"], "value-of-api_token");
    let outcome = sandbox.runtime.execute(granted, io).await;
    assert_eq!(outcome.result, Ok(json!({"authenticated": true, "token_length": "value-of-api_token".len()})));

    let mut not_granted = example_request("use_secret", json!({}));
    not_granted.secrets = BTreeMap::new();
    let (io, _) = recorded_io();
    let outcome = sandbox.runtime.execute(not_granted, io).await;
    let failure = outcome.result.expect_err("no secret");
    assert_eq!(failure.kind, FailureKind::ActionError);
    assert_eq!(failure.message, "the api_token secret is not set");
    assert_eq!(outcome.denied_secrets, ["api_token"]);
}

#[tokio::test]
async fn ticker_reports_numbered_ticks() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(MemoryKv::new());
    let sensor = SensorSpec {
        sensor_ref: "examples-wasm.ticker".into(),
        pack_ref: "examples-wasm".into(),
        entry_point: pack_dir().join("sensors/ticker.wat"),
        trigger_types: vec!["examples-wasm.tick".into()],
        config: json!({}),
        pack_config: json!({}),
        secrets: BTreeMap::new(),
        allowed_hosts: Vec::new(),
        limits: LimitPolicy::default().defaults,
        kv: kv.clone(),
        poll_interval: Duration::from_secs(60),
    };
    let (io, _) = recorded_io();
    let report = sandbox.runtime.poll_sensor(&sensor, 41, &io).await;
    assert_eq!(
        report.result,
        Ok(vec![SensorEvent { trigger_ref: "examples-wasm.tick".into(), payload: json!({"poll": 41}) }])
    );
    assert_eq!(kv.get("last_poll").await.unwrap().as_deref(), Some("41"));
}

/// The Python example, built by componentize-py on first use. Its cache is kept across
/// test runs (content-addressed, so always valid): the build takes tens of seconds.
fn python_runtime() -> WasmRuntime {
    if let Err(missing) = locate_componentize_py() {
        panic!("the Python example needs componentize-py: {missing}");
    }
    runtime_on(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-cache"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_get_reaches_allowed_hosts_only() {
    let runtime = python_runtime();
    let server = TestServer::start().await;
    let port = server.addr.port();

    let allowed = example_request("http_get", json!({"url": format!("http://localhost:{port}/status?verbose=1")}));
    let (io, recorder) = recorded_io();
    let outcome = runtime.execute(allowed, io).await;
    assert_eq!(
        outcome.result,
        Ok(json!({"status": 200, "body": {"hello": "from the test server", "path": "/status?verbose=1"}})),
        "log: {}",
        outcome.log.text
    );
    assert_eq!(server.served(), 1);
    assert!(!recorder.lines().is_empty(), "log lines were streamed");

    // 127.0.0.1 is the same server, but not a listed host.
    let denied = example_request("http_get", json!({"url": format!("http://127.0.0.1:{port}/secret")}));
    let (io, _) = recorded_io();
    let outcome = runtime.execute(denied, io).await;
    let failure = outcome.result.expect_err("refused");
    assert_eq!(failure.kind, FailureKind::ActionError);
    assert!(failure.message.contains("HTTP request denied"), "{failure}");
    assert_eq!(server.served(), 1, "the refused request never reached the server");
}
