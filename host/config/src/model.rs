//! The configuration keys and their defaults.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the embedded database, generated secrets and caches live (`./.attune`).
    pub data_dir: PathBuf,
    /// Every pack directory under this is registered on start (`./packs`).
    pub packs_dir: PathBuf,
    /// Per-pack virtualenvs and node_modules (`<data_dir>/envs`).
    pub runtime_envs_dir: Option<PathBuf>,
    /// The HTTP server.
    pub server: ServerConfig,
    /// The store.
    pub database: DatabaseConfig,
    /// The message bus.
    pub bus: BusConfig,
    /// Tokens.
    pub auth: AuthConfig,
    /// Default and maximum resource limits of executions.
    pub limits: LimitsConfig,
    /// The executor role.
    pub executor: ExecutorConfig,
    /// This process's worker role.
    pub worker: WorkerConfig,
    /// The sensor service role (timers and sensors).
    pub sensor: SensorConfig,
    /// The runtimes actions and sensors run in.
    pub runtimes: RuntimesConfig,
    /// Logging.
    pub log: LogConfig,
    /// Metrics and health probes.
    pub ops: OpsConfig,
    /// How long history is kept.
    pub retention: RetentionConfig,
    /// Where artifacts are kept.
    pub artifacts: ArtifactsConfig,
    /// The file this configuration was read from, if any (never visible to native
    /// actions).
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./.attune"),
            packs_dir: PathBuf::from("./packs"),
            runtime_envs_dir: None,
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            bus: BusConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            executor: ExecutorConfig::default(),
            worker: WorkerConfig::default(),
            sensor: SensorConfig::default(),
            runtimes: RuntimesConfig::default(),
            log: LogConfig::default(),
            ops: OpsConfig::default(),
            retention: RetentionConfig::default(),
            artifacts: ArtifactsConfig::default(),
            file: None,
        }
    }
}

impl Config {
    /// The database URL: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database.url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("attune.db").display()))
    }

    /// Where per-pack environments are built.
    pub fn runtime_envs_dir(&self) -> PathBuf {
        self.runtime_envs_dir.clone().unwrap_or_else(|| self.data_dir.join("envs"))
    }

    /// Installed pack archives, unpacked by digest (`<data_dir>/cache/packs`).
    pub fn packs_cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache").join("packs")
    }

    /// Where compiled WebAssembly components are cached.
    pub fn wasm_cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache").join("wasm")
    }
}

/// `server.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// URL actions use to call the API back (`ATTUNE_API_URL`); defaults to
    /// `http://<listen>`.
    pub public_url: Option<String>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a client has to send a request's headers; a connection that takes longer is
    /// closed (slow clients cannot hold connections open).
    pub header_timeout_s: u64,
    /// Seconds a client has to send a whole request body (else `408`).
    pub body_timeout_s: u64,
    /// Addresses of reverse proxies in front of the API: for requests from them, the client
    /// is the address they put in `X-Forwarded-For` (the login throttle counts by it).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Events and executions waiting to be taken up at which the API refuses new work
    /// (webhook posts, execution requests) with `503` and `Retry-After`; `0` never refuses.
    pub max_backlog: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            max_body_bytes: 10 << 20,
            header_timeout_s: 10,
            body_timeout_s: 30,
            trusted_proxies: Vec::new(),
            max_backlog: 10_000,
        }
    }
}

/// `database.*`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path` or `postgres://user@host/db`; absent means SQLite in the data dir.
    pub url: Option<String>,
}

/// `bus.*`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// `amqp://...` for RabbitMQ; absent means the in-process bus.
    pub url: Option<String>,
    /// Prefix of every queue name, so that deployments can share one broker.
    pub prefix: String,
}

/// `auth.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of access tokens, in seconds.
    pub access_token_ttl_s: u64,
    /// Lifetime of refresh tokens, in seconds.
    pub refresh_token_ttl_s: u64,
    /// Logins one client address may attempt per minute (bursts up to that many); `0`
    /// turns the limit off.
    pub login_attempts_per_minute: u32,
    /// Failed logins one login may take per minute, from any address, before its logins
    /// are refused for a while; `0` turns the limit off.
    pub login_failures_per_minute: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_s: 3600,
            refresh_token_ttl_s: 7 * 24 * 3600,
            login_attempts_per_minute: 30,
            login_failures_per_minute: 10,
        }
    }
}

/// `limits.*`: defaults apply when an action asks for nothing; maxima cap what it asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Default wall-clock limit, seconds.
    pub timeout_s: u64,
    /// Largest wall-clock limit an action may ask for, seconds.
    pub max_timeout_s: u64,
    /// Default WASM fuel.
    pub fuel: u64,
    /// Largest WASM fuel an action may ask for.
    pub max_fuel: u64,
    /// Default WASM memory, MiB.
    pub memory_mb: u64,
    /// Largest WASM memory an action may ask for, MiB.
    pub max_memory_mb: u64,
    /// Bytes kept of each output stream of an execution.
    pub output_bytes: usize,
    /// Bytes of files one execution may publish as artifacts, all together.
    pub artifact_bytes: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            timeout_s: 60,
            max_timeout_s: 24 * 3600,
            fuel: 10_000_000_000,
            max_fuel: 1_000_000_000_000,
            memory_mb: 128,
            max_memory_mb: 4096,
            output_bytes: 10 << 20,
            artifact_bytes: 16 << 20,
        }
    }
}

/// `executor.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutorConfig {
    /// Seconds between reconciliation passes.
    pub reconcile_every_s: u64,
    /// Seconds after which an unfinished execution nobody touched gets its hint again.
    pub stale_after_s: u64,
    /// Seconds an execution may wait for a worker that runs its runner type before failing.
    pub unschedulable_after_s: u64,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self { reconcile_every_s: 5, stale_after_s: 15, unschedulable_after_s: 300 }
    }
}

/// `worker.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    /// Unique worker name (defaults to `<hostname>-<pid>`).
    pub name: Option<String>,
    /// Executions run at once by this worker.
    pub concurrency: usize,
    /// Seconds between heartbeats.
    pub heartbeat_s: u64,
    /// Seconds without a heartbeat after which a worker is considered dead.
    pub dead_after_s: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self { name: None, concurrency: 16, heartbeat_s: 5, dead_after_s: 30 }
    }
}

/// `sensor.*`: the sensor service. Run exactly one per installation: each would fire every
/// timer and run every sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SensorConfig {
    /// Milliseconds between two reads of the sensors and timer rules: a sensor or rule
    /// enabled, disabled or changed takes effect within this time.
    pub refresh_ms: u64,
    /// Seconds between polls of a WASM sensor that sets no `poll_interval`.
    pub default_poll_interval_s: u64,
    /// Milliseconds before a native sensor that ended is started again the first time;
    /// the delay doubles at each further failure.
    pub restart_initial_ms: u64,
    /// Longest delay between restarts, milliseconds.
    pub restart_max_ms: u64,
    /// Seconds a native sensor must stay up for its next restart to start from
    /// `restart_initial_ms` again.
    pub restart_reset_after_s: u64,
}

impl Default for SensorConfig {
    fn default() -> Self {
        Self {
            refresh_ms: 5000,
            default_poll_interval_s: 60,
            restart_initial_ms: 1000,
            restart_max_ms: 60_000,
            restart_reset_after_s: 60,
        }
    }
}

/// `runtimes.*`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuntimesConfig {
    /// Shell, Python and Node actions and sensors.
    pub native: NativeRuntimeConfig,
    /// WebAssembly actions and sensors.
    pub wasm: WasmRuntimeConfig,
}

/// `runtimes.wasm.*`: the WebAssembly sandbox's instance pool, and what it keeps resident
/// between executions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WasmRuntimeConfig {
    /// WebAssembly instances alive at once in this process (executions and sensor polls);
    /// one more fails with `setup_failed`. Costs address space, not resident memory.
    pub max_instances: u32,
    /// Unused pool slots kept warm (their pages resident) for the next execution; beyond
    /// that, freed slots are reused first and nothing more stays warm.
    pub warm_slots: u32,
    /// Bytes of each warm linear memory and table kept resident (reset in place, no page
    /// faults on reuse); the rest is returned to the kernel when an execution ends.
    pub keep_resident_bytes: u64,
}

impl Default for WasmRuntimeConfig {
    fn default() -> Self {
        Self { max_instances: 256, warm_slots: 16, keep_resident_bytes: 1 << 20 }
    }
}

/// `runtimes.native.*`: how native processes are started, confined and limited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NativeRuntimeConfig {
    /// Confine every native action, sensor and environment build (the default). `false`
    /// runs them with the server's own user and access: only for packs trusted as much as
    /// the server itself. Start-up fails when the host cannot confine processes and this
    /// is on.
    pub sandbox: bool,
    /// The user confined processes run as when the server runs as root: a name, a uid or
    /// `uid:gid` (default `nobody`; a dedicated user is better). An unprivileged server
    /// runs them as its own user in a user namespace.
    pub run_as: Option<String>,
    /// The `attune-sandbox` helper (default: beside the `attune` executable, else on
    /// `PATH`).
    pub sandbox_helper: Option<PathBuf>,
    /// System directories visible read-only to native processes; absent: `/usr`, `/bin`,
    /// `/sbin`, `/lib*`, `/etc` and `/run/systemd/resolve`.
    pub system_paths: Option<Vec<PathBuf>>,
    /// Host directories every native process may read and write, shared by all executions
    /// of all packs (a spool directory); none by default.
    pub writable_paths: Vec<PathBuf>,
    /// Further paths never visible to native processes (the data directory, the packs
    /// directory but for each process's own pack, the environments and the configuration
    /// file never are).
    pub hidden_paths: Vec<PathBuf>,
    /// Default and maximum limits of each execution.
    pub limits: NativeLimitsConfig,
    /// Milliseconds between SIGTERM and SIGKILL when a process tree is stopped.
    pub grace_period_ms: u64,
    /// Seconds a pack environment build (pip, npm) may take.
    pub setup_timeout_s: u64,
}

impl Default for NativeRuntimeConfig {
    fn default() -> Self {
        Self {
            sandbox: true,
            run_as: None,
            sandbox_helper: None,
            system_paths: None,
            writable_paths: Vec::new(),
            hidden_paths: Vec::new(),
            limits: NativeLimitsConfig::default(),
            grace_period_ms: 5000,
            setup_timeout_s: 900,
        }
    }
}

/// `runtimes.native.limits.*`: defaults apply when an action asks for nothing; maxima cap
/// what it asks for (in its `limits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NativeLimitsConfig {
    /// Memory of an execution's process tree, MiB.
    pub memory_mb: u64,
    /// Largest memory an action may ask for, MiB.
    pub max_memory_mb: u64,
    /// Processes and threads of an execution.
    pub processes: u64,
    /// Largest number of processes an action may ask for.
    pub max_processes: u64,
    /// Open files per process.
    pub open_files: u64,
    /// Largest number of open files an action may ask for.
    pub max_open_files: u64,
    /// CPU seconds per process; absent: only the timeout.
    pub cpu_s: Option<u64>,
    /// Largest CPU time an action may ask for; absent: no cap.
    pub max_cpu_s: Option<u64>,
    /// Size of an execution's private `/tmp`, MiB.
    pub tmp_mb: u64,
    /// Largest `/tmp` an action may ask for, MiB.
    pub max_tmp_mb: u64,
}

impl Default for NativeLimitsConfig {
    fn default() -> Self {
        Self {
            memory_mb: 512,
            max_memory_mb: 8192,
            processes: 256,
            max_processes: 4096,
            open_files: 1024,
            max_open_files: 65_536,
            cpu_s: None,
            max_cpu_s: None,
            tmp_mb: 64,
            max_tmp_mb: 4096,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// `log.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter (`info`, `attune=debug,sqlx=warn`); `RUST_LOG` wins when set.
    pub level: String,
    /// Output format.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { level: "info".into(), format: LogFormat::Text }
    }
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricsAccess {
    /// Anyone who reaches the listener.
    #[default]
    Open,
    /// Callers with `Authorization: Bearer $ATTUNE_METRICS_TOKEN`.
    Token,
    /// Nobody (`404`).
    Off,
}

/// `ops.*`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsConfig {
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// Where the executor, worker and sensor roles serve `/metrics`, `/health/live` and
    /// `/health/ready` (`host:port`); none when unset. The API and the embedded server serve
    /// them on `server.listen`.
    pub listen: Option<String>,
    /// Seconds between two returns of the C libraries' free heap pages to the operating
    /// system (glibc's `malloc_trim`; Rust's heap returns its own at once); `0` never
    /// returns them.
    pub heap_trim_s: u64,
    /// Where traces go.
    pub traces: TracesConfig,
}

impl Default for OpsConfig {
    fn default() -> Self {
        Self { metrics: MetricsAccess::Open, listen: None, heap_trim_s: 10, traces: TracesConfig::default() }
    }
}

/// `artifacts.*`
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArtifactsConfig {
    /// A directory for the bytes of file artifacts, instead of the store. Every worker, API
    /// and executor of a deployment must see the same directory.
    pub dir: Option<PathBuf>,
}

/// `ops.traces.*`: trace contexts are always made and propagated (into logs and native
/// actions); spans are exported only when a collector is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TracesConfig {
    /// The OTLP/HTTP (protobuf) traces endpoint of a collector, such as
    /// `http://otel-collector:4318/v1/traces`.
    pub otlp_endpoint: Option<String>,
    /// The share of new traces recorded and exported, from 0 to 1. A trace continued from
    /// a caller's `traceparent` follows the caller's sampling decision.
    #[serde(deserialize_with = "share")]
    pub sample_ratio: f64,
}

/// A number from 0 to 1.
fn share<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(serde::de::Error::custom(format!("{value} is not between 0 and 1")))
    }
}

impl Default for TracesConfig {
    fn default() -> Self {
        Self { otlp_endpoint: None, sample_ratio: 1.0 }
    }
}

/// How long one kind of history is kept: rows older than `max_age_days`, and rows beyond
/// the `max_count` newest, are deleted; neither set keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeepConfig {
    /// Days a row is kept.
    pub max_age_days: Option<u32>,
    /// Newest rows kept.
    pub max_count: Option<u64>,
}

impl KeepConfig {
    const fn days(days: u32) -> Self {
        Self { max_age_days: Some(days), max_count: None }
    }
}

/// `retention.*`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Seconds between collection passes (`0`: never collect).
    pub every_s: u64,
    /// Rows deleted by one statement.
    pub batch: u32,
    /// Milliseconds between two batches.
    pub pause_ms: u64,
    /// Ended executions, with their output, inquiries and workflow state.
    pub executions: KeepConfig,
    /// Output lines of ended executions.
    pub output: KeepConfig,
    /// Events whose rules were evaluated.
    pub events: KeepConfig,
    /// Processed enforcements.
    pub enforcements: KeepConfig,
    /// Audit entries.
    pub audit: KeepConfig,
    /// Artifacts.
    pub artifacts: KeepConfig,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            every_s: 300,
            batch: 1000,
            pause_ms: 10,
            executions: KeepConfig::days(30),
            output: KeepConfig::days(30),
            events: KeepConfig::days(30),
            enforcements: KeepConfig::days(30),
            audit: KeepConfig::days(365),
            artifacts: KeepConfig::days(30),
        }
    }
}
