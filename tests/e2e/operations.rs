//! What operators watch: `/metrics` parsed as Prometheus would after real executions, the
//! metrics token, the health probes, and the listener of a role without an API.

use std::time::{Duration, Instant};

use attune_test_support::TestDatabase;
use prometheus_parse::{Scrape, Value as Reading};
use serde_json::json;

use crate::distributed::{PASSWORD, role, submit, wait_all};
use crate::support::{Server, attune};

const TOKEN: &str = "metrics-token-0123456789";

/// Scrapes `url` (`…/metrics`) with `token`; returns the status and the parsed samples.
async fn scrape(url: &str, token: Option<&str>) -> (u16, Option<Scrape>) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    if status != 200 {
        return (status, None);
    }
    (status, Some(Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("the Prometheus text format")))
}

/// The value of the series `metric` whose labels include `labels`, summed over the others;
/// a histogram counts its observations. `None` when no series matches.
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Reading::Counter(v) | Reading::Gauge(v) | Reading::Untyped(v) => *v,
            Reading::Histogram(buckets) => buckets.iter().map(|b| b.count).fold(0.0, f64::max),
            Reading::Summary(_) => f64::NAN,
        })
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[tokio::test]
async fn the_embedded_server_exports_what_its_executions_did_behind_a_token() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command
        .env("ATTUNE_ADMIN_PASSWORD", PASSWORD)
        .env("ATTUNE__OPS__METRICS", "token")
        .env("ATTUNE_METRICS_TOKEN", TOKEN);
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;

    // Probes are public: liveness, and readiness naming each check.
    let (status, live) = server.call("GET", "/health/live", None, None).await;
    assert_eq!((status, live["status"].as_str()), (200, Some("live")));
    let (status, ready) = server.call("GET", "/health/ready", None, None).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready, json!({"status": "ready", "checks": {"store": "ok", "bus": "ok", "runtimes": "ok"}}));

    // A policy holding back all but one sleep: its queue shows in a gauge.
    let policy = json!({"ref": "core.one_sleep", "action": "core.sleep", "type": "concurrency", "threshold": 1});
    let (status, created) = server.call("POST", "/api/v1/policies", Some(&token), Some(policy)).await;
    assert_eq!(status, 201, "{created}");
    let wasm = submit(&server, &token, "examples-wasm.echo", json!({"message": "counted"})).await;
    let shell = submit(&server, &token, "core.echo", json!({"message": "counted"})).await;
    let sleeps = [
        submit(&server, &token, "core.sleep", json!({"seconds": 3})).await,
        submit(&server, &token, "core.sleep", json!({"seconds": 0})).await,
    ];
    wait_all(&server, &token, &[wasm, shell], Duration::from_secs(60)).await;
    // A route with a caller-chosen id is counted under its template, never the raw path.
    let (status, _) = server.call("GET", "/api/v1/executions/987654321", Some(&token), None).await;
    assert_eq!(status, 404);

    let metrics = format!("{}/metrics", server.url);
    assert_eq!(scrape(&metrics, None).await.0, 401, "no token");
    assert_eq!(scrape(&metrics, Some("not-the-token-at-all")).await.0, 401, "a wrong token");
    let deadline = Instant::now() + Duration::from_secs(20);
    let scraped = loop {
        let (status, scraped) = scrape(&metrics, Some(TOKEN)).await;
        assert_eq!(status, 200);
        let scraped = scraped.unwrap();
        // The second sleep waits behind the first until it ends.
        if value(&scraped, "attune_policy_queue_depth", &[("policy", "core.one_sleep")]) == Some(1.0) {
            break scraped;
        }
        assert!(Instant::now() < deadline, "the policy's queue never showed one waiting");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let completed = |action: &str, runtime: &str| {
        value(&scraped, "attune_executions_total", &[("status", "completed"), ("action", action), ("runtime", runtime)])
    };
    assert_eq!(completed("examples-wasm.echo", "wasm"), Some(1.0));
    assert_eq!(completed("core.echo", "shell"), Some(1.0));
    let requested = value(&scraped, "attune_executions_total", &[("status", "requested")]);
    assert_eq!(requested, Some(4.0), "every execution created is counted once");
    assert_eq!(
        value(&scraped, "attune_executions_total", &[("status", "queued"), ("action", "core.sleep")]),
        Some(1.0)
    );
    let ran = value(&scraped, "attune_execution_duration_seconds", &[("action", "examples-wasm.echo")]);
    assert_eq!(ran, Some(1.0));
    assert!(value(&scraped, "attune_execution_queue_wait_seconds", &[("runtime", "shell")]) >= Some(1.0));
    assert_eq!(value(&scraped, "attune_wasm_fuel_consumed", &[("action", "examples-wasm.echo")]), Some(1.0));
    assert_eq!(value(&scraped, "attune_wasm_memory_peak_bytes", &[("action", "examples-wasm.echo")]), Some(1.0));
    assert!(value(&scraped, "attune_wasm_fuel_consumed_sum", &[]) > Some(0.0));
    assert_eq!(value(&scraped, "attune_workers_alive", &[("runtime", "wasm")]), Some(1.0));
    assert!(value(&scraped, "attune_bus_published_total", &[("queue", "executor"), ("outcome", "ok")]) >= Some(4.0));
    assert!(value(&scraped, "attune_bus_consumed_total", &[("queue", "worker")]) >= Some(2.0));
    assert!(value(&scraped, "attune_store_write_duration_seconds", &[("backend", "sqlite")]) > Some(0.0));
    assert!(value(&scraped, "attune_store_ping_duration_seconds", &[("backend", "sqlite")]) >= Some(1.0));

    let execute = [("route", "/api/v1/actions/:action_ref/execute"), ("method", "POST"), ("status", "201")];
    assert_eq!(value(&scraped, "attune_http_requests_total", &execute), Some(4.0));
    assert_eq!(value(&scraped, "attune_http_request_duration_seconds", &execute), Some(4.0));
    let by_id = [("route", "/api/v1/executions/:id"), ("status", "404")];
    assert_eq!(value(&scraped, "attune_http_requests_total", &by_id), Some(1.0));
    assert!(
        scraped.samples.iter().all(|s| s.labels.get("route").is_none_or(|route| !route.contains("987654321"))),
        "a raw path became a label"
    );
    let refused = [("route", "/metrics"), ("status", "401")];
    assert_eq!(value(&scraped, "attune_http_requests_total", &refused), Some(2.0));

    wait_all(&server, &token, &sleeps, Duration::from_secs(60)).await;
    // Once everything has ended, nothing waits: in the policy's queue, or on the bus.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, after) = scrape(&metrics, Some(TOKEN)).await;
        let after = after.unwrap();
        let waiting = |queue: &str| value(&after, "attune_bus_queue_depth", &[("queue", queue)]);
        let queued = value(&after, "attune_policy_queue_depth", &[("policy", "core.one_sleep")]);
        if (queued, waiting("executor"), waiting("worker"), waiting("events"))
            == (Some(0.0), Some(0.0), Some(0.0), Some(0.0))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still waiting: {queued:?} in the policy's queue, {:?} on the bus",
            waiting("executor")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn a_token_setting_without_a_token_is_refused_at_start() {
    let data = tempfile::tempdir().unwrap();
    let output = attune(data.path()).env("ATTUNE__OPS__METRICS", "token").arg("server").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ATTUNE_METRICS_TOKEN is not set"), "{stderr}");
}

/// The address a role printed for its metrics and probes listener.
fn ops_url(server: &Server) -> String {
    let line = server.banner.iter().find_map(|line| line.strip_prefix("metrics and health probes on "));
    line.unwrap_or_else(|| panic!("no listener line in {:?}", server.banner)).trim().to_owned()
}

#[tokio::test]
async fn roles_without_an_api_serve_metrics_and_probes_of_their_own() {
    let database = TestDatabase::create("e2e_operations").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("e2e-operations-{}.", std::process::id());
    let dir = |name: &str| scratch.path().join(name);
    let migrate = role(&database, &prefix, &dir("migrate")).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let with_listener = |name: &str| {
        let mut command = role(&database, &prefix, &dir(name));
        command.env("ATTUNE__OPS__LISTEN", "127.0.0.1:0");
        command
    };
    let api = Server::start_role(role(&database, &prefix, &dir("api")), "api", "Attune is listening on ");
    let executor = Server::start_role(with_listener("executor"), "executor", "Attune executor is running");
    let mut worker_command = with_listener("worker");
    worker_command.env("ATTUNE__WORKER__NAME", "ops-worker");
    let worker = Server::start_role(worker_command, "worker", "Attune worker ");
    let token = api.login("admin", PASSWORD).await;

    let id = submit(&api, &token, "examples-wasm.echo", json!({"message": "far away"})).await;
    let ended = wait_all(&api, &token, &[id], Duration::from_secs(60)).await;
    assert_eq!(ended[&id]["status"], "completed");

    let worker_ops = ops_url(&worker);
    let ready: serde_json::Value =
        reqwest::get(format!("{worker_ops}/health/ready")).await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({"status": "ready", "checks": {"store": "ok", "bus": "ok", "runtimes": "ok"}}));
    let (status, scraped) = scrape(&format!("{worker_ops}/metrics"), None).await;
    assert_eq!(status, 200);
    let scraped = scraped.unwrap();
    // The worker counts what it did: the start and the end, with the guest's usage.
    let at = |status: &str| {
        value(&scraped, "attune_executions_total", &[("status", status), ("action", "examples-wasm.echo")])
    };
    assert_eq!((at("running"), at("completed"), at("requested")), (Some(1.0), Some(1.0), None));
    assert_eq!(value(&scraped, "attune_wasm_fuel_consumed", &[("action", "examples-wasm.echo")]), Some(1.0));
    assert!(value(&scraped, "attune_bus_consumed_total", &[("queue", "worker")]) >= Some(1.0));
    assert_eq!(
        value(&scraped, "attune_store_write_duration_seconds", &[("backend", "postgres")]).map(|n| n > 0.0),
        Some(true)
    );
    // Gauges read from the store are the API's alone.
    assert_eq!(value(&scraped, "attune_workers_alive", &[]), None);

    let executor_ops = ops_url(&executor);
    let live = reqwest::get(format!("{executor_ops}/health/live")).await.unwrap();
    assert_eq!(live.status().as_u16(), 200);
    let (_, scraped) = scrape(&format!("{executor_ops}/metrics"), None).await;
    let scraped = scraped.unwrap();
    assert!(value(&scraped, "attune_bus_consumed_total", &[("queue", "executor")]) >= Some(1.0));
    assert!(value(&scraped, "attune_bus_published_total", &[("queue", "worker"), ("outcome", "ok")]) >= Some(1.0));

    let (_, scraped) = scrape(&format!("{}/metrics", api.url), None).await;
    let scraped = scraped.unwrap();
    assert_eq!(value(&scraped, "attune_workers_alive", &[("runtime", "wasm")]), Some(1.0));
    // Read from RabbitMQ: the queues exist and hold a number of waiting messages.
    for queue in ["executor", "worker", "events"] {
        assert!(value(&scraped, "attune_bus_queue_depth", &[("queue", queue)]).is_some(), "{queue}");
    }
}
