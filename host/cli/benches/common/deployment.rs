//! The deployments measured, started from the release binary. Everything a deployment
//! owns goes away when it is dropped, panics included: its processes are killed first,
//! then its RabbitMQ queues are deleted, its PostgreSQL database dropped and its
//! directories removed.

use std::fmt;
use std::path::Path;
use std::process::Command;

use attune_test_support::TestDatabase;

use super::broker::QueuePrefix;
use super::support::{self, Server};

/// The admin password every deployment is started with.
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

/// Workers of the distributed deployment unless `ATTUNE_BENCH_WORKERS` says otherwise.
const WORKERS: usize = 2;

/// Which deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `attune server`: SQLite and the in-process bus.
    Embedded,
    /// `attune api`, `attune executor`, two `attune worker`s (`ATTUNE_BENCH_WORKERS`):
    /// PostgreSQL and RabbitMQ.
    Distributed,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Embedded => "embedded",
            Mode::Distributed => "distributed",
        })
    }
}

/// A running deployment. Fields drop in order: processes, queues, database, directories.
pub struct Deployment {
    /// The API's base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    /// What runs, for the report.
    pub description: String,
    /// The role of each process, in order.
    roles: Vec<String>,
    _processes: Vec<Server>,
    _queues: Option<QueuePrefix>,
    _database: Option<TestDatabase>,
    _scratch: tempfile::TempDir,
}

impl Deployment {
    /// The resident memory of each process now, in MiB (from `/proc`), with its role.
    pub fn resident_mib(&self) -> Vec<(String, f64)> {
        self.roles
            .iter()
            .zip(&self._processes)
            .map(|(role, process)| {
                let status = std::fs::read_to_string(format!("/proc/{}/status", process.pid())).unwrap_or_default();
                let kib = status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmRSS:"))
                    .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
                    .unwrap_or_default();
                (role.clone(), kib / 1024.0)
            })
            .collect()
    }

    /// Starts `mode` and waits until every process is ready (blocking: nothing else runs
    /// meanwhile). `tag` names the PostgreSQL database of a distributed deployment; `log`
    /// is the processes' `RUST_LOG`.
    pub async fn start(mode: Mode, tag: &str, log: &str) -> Deployment {
        match mode {
            Mode::Embedded => embedded(log),
            Mode::Distributed => distributed(tag, log).await,
        }
    }
}

fn embedded(log: &str) -> Deployment {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let (server, url) = start(attune(&scratch.path().join("data"), log), "server", "Attune is listening on ");
    Deployment {
        url,
        description: "attune server (SQLite, in-process bus, one worker)".into(),
        roles: vec!["server".into()],
        _processes: vec![server],
        _queues: None,
        _database: None,
        _scratch: scratch,
    }
}

async fn distributed(tag: &str, log: &str) -> Deployment {
    // Declared in the order of their set-up, so that a panic part-way tears down in the
    // reverse order: processes, then queues, then the database.
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let database = TestDatabase::create(tag).await;
    let prefix = format!("bench-{}-{}.", std::process::id(), nanos());
    let mut queues = QueuePrefix::new(amqp_url(), prefix.clone());
    let mut processes = Vec::new();
    let role = |name: &str| {
        let mut command = attune(&scratch.path().join(name), log);
        command
            .env("ATTUNE__DATABASE__URL", database.url())
            .env("ATTUNE__BUS__URL", amqp_url())
            .env("ATTUNE__BUS__PREFIX", &prefix)
            .env("ATTUNE_JWT_SECRET", "bench-jwt-secret-0123456789abcdef")
            .env("ATTUNE_ENCRYPTION_KEY", "42".repeat(32));
        command
    };

    let migrate = role("migrate").arg("migrate").output().expect("attune migrate runs");
    assert!(migrate.status.success(), "attune migrate failed: {}", String::from_utf8_lossy(&migrate.stderr));
    let (api, url) = start(role("api"), "api", "Attune is listening on ");
    processes.push(api);
    let (executor, _) = start(role("executor"), "executor", "Attune executor is running");
    processes.push(executor);
    let workers: Vec<String> = (1..=worker_count()).map(|n| format!("bench-worker-{n}")).collect();
    for name in &workers {
        let mut command = role(name);
        command.env("ATTUNE__WORKER__NAME", name);
        let (worker, rest) = start(command, "worker", "Attune worker ");
        processes.push(worker);
        let id = rest.split_whitespace().next().and_then(|id| id.parse().ok());
        queues.add_worker(id.unwrap_or_else(|| panic!("worker ready line without an id: '{rest}'")));
    }
    Deployment {
        url,
        description: format!(
            "attune api + executor + {} workers (PostgreSQL database {}, RabbitMQ prefix {})",
            workers.len(),
            database.url().rsplit('/').next().unwrap_or_default(),
            prefix
        ),
        roles: ["api".to_owned(), "executor".to_owned()].into_iter().chain(workers).collect(),
        _processes: processes,
        _queues: Some(queues),
        _database: Some(database),
        _scratch: scratch,
    }
}

/// Workers the distributed deployment starts: `ATTUNE_BENCH_WORKERS`, or [`WORKERS`].
fn worker_count() -> usize {
    super::settings::number("ATTUNE_BENCH_WORKERS", WORKERS)
}

/// The broker the distributed deployment uses (the end-to-end tests' variable).
fn amqp_url() -> String {
    std::env::var("ATTUNE_TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

fn nanos() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos()
}

/// `attune` as the end-to-end tests start it (the built binary, nothing inherited from the
/// caller's `ATTUNE*` variables, the repository's packs, any free port), with the admin
/// password set and `log` as its `RUST_LOG`. `ATTUNE_BENCH_BINARY` names another build to
/// measure instead (an earlier commit's, to compare two builds in one sitting).
fn attune(data_dir: &Path, log: &str) -> Command {
    let mut command = match std::env::var_os("ATTUNE_BENCH_BINARY") {
        Some(binary) => support::with_attune_environment(Command::new(binary), data_dir),
        None => support::attune(data_dir),
    };
    command.env("ATTUNE_ADMIN_PASSWORD", ADMIN_PASSWORD).env("RUST_LOG", log);
    command
}

/// Starts `attune <role>` and waits for its stdout line starting with `ready`; returns the
/// process (killed on drop) and the rest of that line. Logs (stderr) pass through.
fn start(command: Command, role: &str, ready: &str) -> (Server, String) {
    let server = Server::start_role(command, role, ready);
    let rest = server.url.clone();
    (server, rest)
}
