//! A whole pipeline in one process: store, in-process bus, executor, workers with the real
//! WebAssembly and native runtimes, and the shipped packs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_bus::MemoryBus;
use attune_domain::Id;
use attune_domain::execution::Execution;
use attune_executor::ExecutorConfig;
use attune_runtime_api::{LimitPolicy, Runtime, RuntimeRegistry};
use attune_runtime_native::{NativeConfig, NativeRuntimes};
use attune_runtime_wasm::{WasmRuntime, WasmRuntimeConfig};
use attune_security::{Cipher, TokenIssuer};
use attune_services::Platform;
use attune_services::executions::{self, ExecutionRequest};
use attune_test_support::{Backend, TestStore};
use attune_worker::{WorkerConfig, WorkerDeps};
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The repository's packs.
pub fn shipped_packs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs")
}

/// How to build a pipeline.
pub struct Options {
    /// Workers to start (named `worker-0`, `worker-1`, ...).
    pub workers: usize,
    /// Executions each worker runs at once.
    pub concurrency: usize,
    /// Executor timings.
    pub executor: ExecutorConfig,
    /// A runtime registered after the real ones, taking over their runner types (fault
    /// injection: a runtime that panics).
    pub runtime_override: Option<Arc<dyn Runtime>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            workers: 1,
            concurrency: 4,
            executor: ExecutorConfig {
                dead_after: Duration::from_secs(3),
                stale_after: Duration::from_secs(1),
                unschedulable_after: Duration::from_secs(2),
                reconcile_every: Duration::from_millis(300),
            },
            runtime_override: None,
        }
    }
}

/// A running pipeline; stopped on drop.
pub struct Pipeline {
    pub platform: Platform,
    pub store: TestStore,
    pub bus: Arc<MemoryBus>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    runtime_override: Option<Arc<dyn Runtime>>,
}

impl Pipeline {
    pub async fn start(backend: Backend) -> Pipeline {
        Self::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: Backend, options: Options) -> Pipeline {
        let store = TestStore::new(backend).await;
        let bus = Arc::new(MemoryBus::new());
        let tokens =
            TokenIssuer::new(b"pipeline-test-secret-pipeline-test", Duration::from_secs(60), Duration::from_secs(60));
        let platform = Platform {
            store: store.store.clone(),
            tokens,
            cipher: Cipher::new(&[5; 32]),
            bus: bus.clone(),
            artifact_files: None,
        };
        for pack in ["core", "examples-wasm"] {
            attune_packs::register_pack(platform.store.as_ref(), &shipped_packs().join(pack)).await.unwrap();
        }
        let mut pipeline = Pipeline {
            platform,
            store,
            bus,
            shutdown: CancellationToken::new(),
            tasks: Vec::new(),
            runtime_override: options.runtime_override,
        };
        for n in 0..options.workers {
            pipeline.start_worker(&format!("worker-{n}"), options.concurrency).await;
        }
        let executor =
            attune_executor::run(pipeline.platform.clone(), options.executor, true, pipeline.shutdown.child_token());
        pipeline.tasks.push(tokio::spawn(async move {
            executor.await.expect("the executor stops cleanly");
        }));
        pipeline
    }

    /// Starts (or restarts, under the same name) a worker; returns the token that stops it.
    pub async fn start_worker(&mut self, name: &str, concurrency: usize) -> CancellationToken {
        let deps = WorkerDeps {
            store: self.platform.store.clone(),
            bus: self.platform.bus.clone(),
            cipher: self.platform.cipher.clone(),
            tokens: self.platform.tokens.clone(),
            registry: self.registry(),
            artifact_files: self.platform.artifact_files.clone(),
        };
        let config = WorkerConfig {
            concurrency,
            heartbeat_every: Duration::from_millis(200),
            limits: LimitPolicy::default(),
            shutdown_grace: Duration::from_millis(100),
            ..WorkerConfig::named(name)
        };
        let worker = attune_worker::start(deps, config).await.unwrap();
        let stop = self.shutdown.child_token();
        self.tasks.push(tokio::spawn(worker.run(stop.clone())));
        stop
    }

    fn registry(&self) -> RuntimeRegistry {
        let scratch = self.store.dir.path();
        let mut wasm = WasmRuntimeConfig::with_cache_dir(scratch.join("wasm-cache"));
        wasm.max_instances = 32;
        wasm.max_memory_bytes = 256 << 20;
        let mut registry = RuntimeRegistry::new();
        registry.register(Arc::new(WasmRuntime::new(wasm).unwrap()));
        NativeRuntimes::new(NativeConfig::with_envs_dir(scratch.join("envs"))).register_into(&mut registry);
        if let Some(runtime) = &self.runtime_override {
            registry.register(runtime.clone());
        }
        registry
    }

    /// Writes a pack `name` (a `pack.yaml` is added) in the scratch directory and
    /// registers it.
    pub async fn register_pack(&self, name: &str, files: &[(&str, &str)]) {
        let dir = self.store.dir.path().join("packs").join(name);
        let manifest = format!("ref: {name}\nversion: 1.0.0\n");
        for (path, content) in [("pack.yaml", manifest.as_str())].into_iter().chain(files.iter().copied()) {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        attune_packs::register_pack(self.platform.store.as_ref(), &dir).await.unwrap();
    }

    /// The admin identity as an authenticated caller (created on first use).
    pub async fn admin(&self) -> attune_services::auth::Caller {
        attune_services::bootstrap::bootstrap(&self.platform, Some("pipeline-admin-password".into())).await.unwrap();
        let admin = self.platform.store.get_identity_by_login("admin").await.unwrap();
        let tokens = self.platform.tokens.issue(admin.id, &admin.login);
        attune_services::auth::authenticate(&self.platform, &tokens.access_token).await.unwrap()
    }

    /// An identity holding only the built-in role `role` (created on first use); its id.
    pub async fn identity_with(&self, login: &str, role: &str) -> Id {
        self.admin().await;
        let store = &self.platform.store;
        if let Ok(found) = store.get_identity_by_login(login).await {
            return found.id;
        }
        let new = attune_domain::identity::NewIdentity {
            login: login.into(),
            display_name: None,
            password_hash: None,
            attributes: serde_json::json!({}),
        };
        let identity = store.create_identity(&new).await.unwrap();
        store.assign_permission_set(identity.id, role).await.unwrap();
        identity.id
    }

    /// Requests an execution; returns its id.
    pub async fn request(&self, action_ref: &str, parameters: Value) -> Id {
        let request = ExecutionRequest { action_ref: action_ref.into(), parameters, ..ExecutionRequest::default() };
        executions::request(&self.platform, request).await.unwrap().id
    }

    /// Waits until execution `id` satisfies `done` (60 s at most).
    pub async fn wait_for(&self, id: Id, done: impl Fn(&Execution) -> bool) -> Execution {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let execution = self.platform.store.get_execution(id).await.unwrap();
            if done(&execution) {
                return execution;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "execution {id} stuck in {}: {execution:?}",
                execution.status
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until execution `id` ends.
    pub async fn finished(&self, id: Id) -> Execution {
        self.wait_for(id, |e| e.status.is_terminal()).await
    }

    /// Requests an execution and waits for it to end.
    pub async fn run(&self, action_ref: &str, parameters: Value) -> Execution {
        let id = self.request(action_ref, parameters).await;
        self.finished(id).await
    }

    /// The stored output of an execution, one line per output line.
    pub async fn output(&self, id: Id) -> Vec<(String, String)> {
        let lines = self.platform.store.list_output(id, 0, 100_000).await.unwrap();
        lines.into_iter().map(|l| (l.stream, l.text)).collect()
    }

    /// Stops every role and waits for them.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        for task in self.tasks.drain(..) {
            task.await.unwrap();
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
