//! What the runtime tests share: a runtime over a private cache, requests with test
//! limits, an output recorder, test datastores and a local HTTP server.

pub mod guests;
pub mod http_server;
pub mod wat;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use attune_runtime_api::{
    ExecutionContext, ExecutionIo, ExecutionRequest, KvError, KvStore, Limits, MemoryKv, OutputFormat, OutputLine,
    RequestedLimits, Stream,
};
use attune_runtime_wasm::{CacheKey, WasmRuntime, WasmRuntimeConfig};
use tempfile::TempDir;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A runtime and a directory for its guests and cache, removed at the end of the test.
pub struct Sandbox {
    pub dir: TempDir,
    pub runtime: WasmRuntime,
}

impl Sandbox {
    /// A runtime with a cache of its own.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = runtime_on(&dir.path().join("cache"));
        Self { dir, runtime }
    }

    /// Writes `wat` as `<name>.wat` and returns its path.
    pub fn guest(&self, name: &str, wat: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.wat"));
        std::fs::write(&path, wat).expect("write guest");
        path
    }
}

/// A runtime caching compiled components in `cache_dir`, sealed with the key every test
/// server shares (as a restarted server derives the same key from its secret).
pub fn runtime_on(cache_dir: &Path) -> WasmRuntime {
    runtime_sealing_with(cache_dir, CacheKey::derived_from(b"the test server's secret"))
}

/// A runtime caching compiled components in `cache_dir`, sealed with `key`.
pub fn runtime_sealing_with(cache_dir: &Path, key: CacheKey) -> WasmRuntime {
    let mut config = WasmRuntimeConfig::with_cache_dir(cache_dir);
    config.max_memory_bytes = 256 << 20;
    config.cache_key = key;
    WasmRuntime::new(config).expect("runtime")
}

/// Limits generous enough for every well-behaved test guest.
pub fn test_limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(30),
        fuel: 1_000_000_000,
        memory_bytes: 64 << 20,
        output_bytes: 1 << 20,
        artifact_bytes: 1 << 20,
    }
}

/// A request to run `entry_point` with `parameters` and nothing granted.
pub fn request(entry_point: &Path, parameters: serde_json::Value) -> ExecutionRequest {
    ExecutionRequest {
        context: ExecutionContext {
            execution_id: 1,
            action_ref: "tests.guest".into(),
            pack_ref: "tests".into(),
            attempt: 1,
            ..ExecutionContext::default()
        },
        pack_dir: entry_point.parent().unwrap_or(Path::new(".")).to_path_buf(),
        entry_point: entry_point.to_path_buf(),
        parameters,
        secrets: BTreeMap::new(),
        pack_config: serde_json::json!({}),
        output_format: OutputFormat::Json,
        allowed_hosts: Vec::new(),
        limits: test_limits(),
        requested_limits: RequestedLimits::default(),
        kv: Arc::new(MemoryKv::new()),
    }
}

/// Records every output line the runtime emits.
#[derive(Default)]
pub struct Recorder {
    lines: Mutex<Vec<OutputLine>>,
    /// Notified at each line.
    pub line_emitted: Notify,
}

impl Recorder {
    /// The texts of the lines recorded on `stream`.
    pub fn texts(&self, stream: Stream) -> Vec<String> {
        self.lines.lock().unwrap().iter().filter(|line| line.stream == stream).map(|line| line.text.clone()).collect()
    }

    /// Every line recorded.
    pub fn lines(&self) -> Vec<OutputLine> {
        self.lines.lock().unwrap().clone()
    }
}

impl attune_runtime_api::OutputSink for Recorder {
    fn emit(&self, line: OutputLine) {
        self.lines.lock().unwrap().push(line);
        self.line_emitted.notify_one();
    }
}

/// Io recording into a new [`Recorder`], with a fresh cancel token.
pub fn recorded_io() -> (ExecutionIo, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let io = ExecutionIo { output: recorder.clone(), cancel: CancellationToken::new() };
    (io, recorder)
}

/// A datastore whose reads never complete; it signals each read that starts.
#[derive(Default)]
pub struct StuckKv {
    pub read_started: Notify,
}

#[async_trait]
impl KvStore for StuckKv {
    async fn get(&self, _key: &str) -> Result<Option<String>, KvError> {
        self.read_started.notify_one();
        std::future::pending().await
    }

    async fn set(&self, _key: &str, _value: &str, _ttl: Option<Duration>) -> Result<(), KvError> {
        Ok(())
    }

    async fn delete(&self, _key: &str) -> Result<bool, KvError> {
        Ok(false)
    }
}
