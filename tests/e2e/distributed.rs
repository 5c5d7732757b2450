//! The distributed deployment: `attune api`, `attune executor`, two `attune worker`s and
//! `attune notifier` and `attune sensor` as separate processes on PostgreSQL and RabbitMQ.
//! WebAssembly and shell executions run through them, both workers take work, the
//! notifier's stream shows them live, a RabbitMQ restart in the middle of a run loses
//! nothing, and afterwards the sensor role fires a timer rule.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::time::{Duration, Instant};

use attune_test_support::TestDatabase;
use serde_json::{Value, json};

use crate::support::{Server, attune};

pub const PASSWORD: &str = "distributed-password";

/// Every role's command, sharing the database, the bus (under a prefix of this test's own)
/// and the secrets; each role has a data directory of its own.
pub fn role(database: &TestDatabase, prefix: &str, data: &std::path::Path) -> Command {
    let mut command = attune(data);
    command
        .env("ATTUNE__DATABASE__URL", database.url())
        .env("ATTUNE__BUS__URL", amqp_url())
        .env("ATTUNE__BUS__PREFIX", prefix)
        .env("ATTUNE_JWT_SECRET", "distributed-test-jwt-secret-0123456789")
        .env("ATTUNE_ENCRYPTION_KEY", "11".repeat(32))
        .env("ATTUNE_ADMIN_PASSWORD", PASSWORD)
        .env("ATTUNE__EXECUTOR__RECONCILE_EVERY_S", "1")
        .env("ATTUNE__EXECUTOR__STALE_AFTER_S", "2")
        .env("ATTUNE__WORKER__HEARTBEAT_S", "1");
    command
}

/// The core of a distributed deployment on a migrated `database`: the API, one executor and
/// two workers (`worker-a`, `worker-b`, each running `concurrency` executions at once), each
/// role with a data directory of its own under `scratch`.
pub struct Cluster {
    pub api: Server,
    pub executor: Server,
    pub workers: Vec<Server>,
}

pub fn start_cluster(database: &TestDatabase, prefix: &str, scratch: &std::path::Path, concurrency: &str) -> Cluster {
    let dir = |name: &str| scratch.join(name);
    let migrate = role(database, prefix, &dir("migrate")).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let api = Server::start_role(role(database, prefix, &dir("api")), "api", "Attune is listening on ");
    let executor =
        Server::start_role(role(database, prefix, &dir("executor")), "executor", "Attune executor is running");
    let mut workers = Vec::new();
    for name in ["worker-a", "worker-b"] {
        let mut command = role(database, prefix, &dir(name));
        command.env("ATTUNE__WORKER__NAME", name).env("ATTUNE__WORKER__CONCURRENCY", concurrency);
        workers.push(Server::start_role(command, "worker", "Attune worker "));
    }
    Cluster { api, executor, workers }
}

fn amqp_url() -> String {
    std::env::var("ATTUNE_TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// Starts the broker again when dropped, so a failed assertion never leaves it stopped.
struct BrokerGuard;

impl BrokerGuard {
    fn stop() -> BrokerGuard {
        let status = Command::new("rabbitmqctl").arg("stop_app").output().expect("rabbitmqctl is required");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        BrokerGuard
    }
}

impl Drop for BrokerGuard {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").arg("start_app").output();
        let _ = Command::new("rabbitmqctl").arg("await_startup").output();
    }
}

#[tokio::test]
async fn roles_share_work_and_survive_a_broker_restart() {
    let database = TestDatabase::create("e2e_distributed").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("e2e-{}-{}.", std::process::id(), Instant::now().elapsed().subsec_nanos());
    let dir = |name: &str| scratch.path().join(name);

    let Cluster { api, executor: _executor, workers: _workers } =
        start_cluster(&database, &prefix, scratch.path(), "4");
    let notifier =
        Server::start_role(role(&database, &prefix, &dir("notifier")), "notifier", "Attune notifier is listening on ");
    let mut sensor = role(&database, &prefix, &dir("sensor"));
    sensor.env("ATTUNE__SENSOR__REFRESH_MS", "200");
    let _sensor = Server::start_role(sensor, "sensor", "Attune sensor service is running");
    let token = api.login("admin", PASSWORD).await;
    // Notices cross processes through the broker: the notifier hears what the API and the
    // workers did.
    let mut stream = crate::stream::connect(&notifier, "?entity=execution&output=true", &token).await;
    assert_eq!(crate::stream::next(&mut stream).await["type"], "subscribed");

    // WebAssembly and shell executions through every role.
    let mut ids = Vec::new();
    for n in 0..10 {
        ids.push(submit(&api, &token, "examples-wasm.echo", json!({"message": format!("wasm {n}")})).await);
        ids.push(submit(&api, &token, "core.echo", json!({"message": format!("shell {n}")})).await);
    }
    let results = wait_all(&api, &token, &ids, Duration::from_secs(120)).await;
    let mut used_workers = BTreeSet::new();
    for id in &ids {
        let execution = &results[id];
        assert_eq!(execution["status"], "completed", "{execution}");
        used_workers.insert(execution["worker"].as_i64().unwrap());
    }
    assert_eq!(used_workers.len(), 2, "both workers took work");
    assert_eq!(results[&ids[0]]["result"], json!({"message": "wasm 0"}));
    assert_eq!(results[&ids[1]]["result"], json!({"stdout": "shell 0\n"}));
    let (mut statuses, mut output) = (Vec::new(), Vec::new());
    while statuses.last() != Some(&json!("completed")) {
        let frame = crate::stream::next(&mut stream).await;
        if frame["execution"] == ids[1] {
            match frame["type"].as_str() {
                Some("execution_status") => statuses.push(frame["status"].clone()),
                _ => output.push(frame["text"].clone()),
            }
        }
    }
    assert_eq!(statuses, ["requested", "scheduled", "running", "completed"]);
    assert_eq!(output, ["shell 0"], "the worker's output line reached the API's stream");

    // A broker restart in the middle of a run: executions already running, executions
    // requested while the broker is away; none is lost.
    let mut restart_ids = Vec::new();
    for n in 0..8 {
        restart_ids.push(submit(&api, &token, "core.sleep", json!({"seconds": 1 + n % 2})).await);
    }
    {
        let _broker = BrokerGuard::stop();
        for n in 0..4 {
            restart_ids.push(submit(&api, &token, "core.echo", json!({"message": format!("during outage {n}")})).await);
        }
    }
    let results = wait_all(&api, &token, &restart_ids, Duration::from_secs(180)).await;
    for id in &restart_ids {
        assert_eq!(results[id]["status"], "completed", "{}", results[id]);
    }

    // The sensor role, through the same broker restart, fires a timer rule made now.
    let rule = json!({
        "ref": "core.every_second",
        "trigger": "core.intervaltimer",
        "trigger_parameters": {"unit": "seconds", "interval": 1},
        "action": "core.echo",
        "parameters": {"message": "timer event {{ event.id }}"},
    });
    let (status, created) = api.call("POST", "/api/v1/rules", Some(&token), Some(rule)).await;
    assert_eq!(status, 201, "{created}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let path = "/api/v1/executions?rule=core.every_second&status=completed";
        let (_, fired) = api.call("GET", path, Some(&token), None).await;
        if fired["pagination"]["total"].as_u64().unwrap_or_default() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the timer rule did not run twice: {fired}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn submit(api: &Server, token: &str, action: &str, parameters: Value) -> i64 {
    let (status, created) = api
        .call(
            "POST",
            &format!("/api/v1/actions/{action}/execute"),
            Some(token),
            Some(json!({"parameters": parameters})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["id"].as_i64().unwrap()
}

/// Polls until every execution has ended; returns them by id.
pub async fn wait_all(api: &Server, token: &str, ids: &[i64], limit: Duration) -> HashMap<i64, Value> {
    let deadline = Instant::now() + limit;
    let mut ended = HashMap::new();
    while ended.len() < ids.len() {
        assert!(
            Instant::now() < deadline,
            "executions still unfinished: {:?}",
            ids.iter().filter(|id| !ended.contains_key(*id)).collect::<Vec<_>>()
        );
        for id in ids {
            if ended.contains_key(id) {
                continue;
            }
            let (_, body) = api.call("GET", &format!("/api/v1/executions/{id}"), Some(token), None).await;
            let status = body["data"]["status"].as_str().unwrap_or_default();
            if ["completed", "failed", "timeout", "cancelled", "abandoned"].contains(&status) {
                ended.insert(*id, body["data"].clone());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ended
}
