//! Traces through the real binary: a webhook post or an execute request carrying a W3C
//! `traceparent` is continued through the rules engine, the executor and the worker into the
//! native action (`TRACEPARENT`), its spans are exported over OTLP/HTTP to a collector (a
//! small one in this test, decoding the protobuf the way any collector does), and the JSON
//! logs written while handling it carry its trace id; a timer's event starts a trace. Embedded, and distributed over
//! RabbitMQ, where the bus headers carry the context from process to process.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use attune_test_support::TestDatabase;
use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde_json::{Value, json};

use crate::distributed::{PASSWORD as CLUSTER_PASSWORD, role};
use crate::rules::{wait_for_execution, webhook_rule};
use crate::support::{Server, attune};

const PASSWORD: &str = "traces-admin-password";
/// What callers send: a trace of theirs, and their span in it.
const CALLER: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";
const OTHER: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const OTHER_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

/// One span as a collector received it.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
}

/// An OTLP/HTTP traces endpoint keeping every span it is sent.
struct Collector {
    endpoint: String,
    spans: Arc<Mutex<Vec<Received>>>,
}

impl Collector {
    async fn start() -> Collector {
        let spans: Arc<Mutex<Vec<Received>>> = Arc::default();
        let kept = spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: Bytes| {
                let kept = kept.clone();
                async move {
                    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
                    let mut kept = kept.lock().unwrap();
                    for resource in request.resource_spans {
                        let service = resource
                            .resource
                            .iter()
                            .flat_map(|r| r.attributes.iter())
                            .find(|a| a.key == "service.name")
                            .and_then(|a| a.value.as_ref())
                            .and_then(|v| match &v.value {
                                Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s)) => {
                                    Some(s.clone())
                                }
                                _ => None,
                            })
                            .unwrap_or_default();
                        for span in resource.scope_spans.into_iter().flat_map(|scope| scope.spans) {
                            kept.push(Received {
                                service: service.clone(),
                                name: span.name,
                                trace_id: hex(&span.trace_id),
                                span_id: hex(&span.span_id),
                                parent_span_id: hex(&span.parent_span_id),
                            });
                        }
                    }
                    ([("content-type", "application/x-protobuf")], Vec::<u8>::new())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Collector { endpoint, spans }
    }

    /// The spans of `trace_id` once every name in `names` has arrived (fails after 30 s).
    async fn trace(&self, trace_id: &str, names: &[&str]) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let spans: Vec<Received> =
                self.spans.lock().unwrap().iter().filter(|s| s.trace_id == trace_id).cloned().collect();
            let have: BTreeSet<&str> = spans.iter().map(|s| s.name.as_str()).collect();
            if names.iter().all(|name| have.contains(name)) {
                return spans;
            }
            assert!(Instant::now() < deadline, "spans of {trace_id}: have {have:?}, want {names:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn named<'a>(spans: &'a [Received], name: &str) -> &'a Received {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no {name} span in {spans:#?}"))
}

/// Posts `body` to `path` with `traceparent` (when given) and returns status and JSON.
async fn send(server: &Server, token: &str, path: &str, traceparent: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}{path}", server.url)).bearer_auth(token).json(&body);
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Runs `core.local` printing its `TRACEPARENT`, with `traceparent` sent; returns the
/// execution as it ended and what the action printed.
async fn run_printing_traceparent(server: &Server, token: &str, traceparent: Option<&str>) -> (Value, String) {
    let body = json!({"parameters": {"cmd": "printf %s \"$TRACEPARENT\""}});
    let (status, created) = send(server, token, "/api/v1/actions/core.local/execute", traceparent, body).await;
    assert_eq!(status, 201, "{created}");
    let execution = server.finished(token, created["data"]["id"].as_i64().unwrap()).await;
    assert_eq!(execution["status"], "completed", "{execution}");
    let printed = execution["result"]["stdout"].as_str().unwrap().to_owned();
    (execution, printed)
}

/// `(trace id, parent span id)` of a traceparent an action printed, checked well-formed.
fn parts(traceparent: &str) -> (&str, &str) {
    let fields: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(fields.len(), 4, "{traceparent:?}");
    assert_eq!((fields[0], fields[1].len(), fields[2].len(), fields[3].len()), ("00", 32, 16, 2), "{traceparent:?}");
    assert!(fields[1..].iter().all(|f| f.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())));
    (fields[1], fields[2])
}

#[tokio::test]
async fn embedded_traces_follow_a_webhook_post_and_a_request_into_the_action() {
    let collector = Collector::start().await;
    let scratch = tempfile::tempdir().unwrap();
    let log_path = scratch.path().join("server.log");
    let mut command = attune(&scratch.path().join("data"));
    command
        .env("ATTUNE_ADMIN_PASSWORD", PASSWORD)
        .env("ATTUNE__OPS__TRACES__OTLP_ENDPOINT", &collector.endpoint)
        .env("ATTUNE__LOG__FORMAT", "json")
        .env("RUST_LOG", "warn,attune_worker=debug")
        .stderr(std::fs::File::create(&log_path).unwrap());
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;

    // A webhook post: the rules engine matches it, the rule's action prints TRACEPARENT.
    let rule = json!({
        "ref": "core.traced", "trigger": "core.webhook", "trigger_parameters": {"name": "traced"},
        "action": "core.local", "parameters": {"cmd": "printf %s \"$TRACEPARENT\""},
    });
    webhook_rule(&server, &token, "traced", rule).await;
    let (status, accepted) = send(&server, &token, "/api/v1/webhooks/traced", Some(CALLER), json!({"x": 1})).await;
    assert_eq!(status, 202, "{accepted}");
    let execution = wait_for_execution(&server, &token, "core.traced").await;
    assert_eq!(execution["status"], "completed", "{execution}");
    let printed = execution["result"]["stdout"].as_str().unwrap().to_owned();
    let (trace_id, action_parent) = parts(&printed);
    assert_eq!(trace_id, CALLER_TRACE, "the action continues the caller's trace");
    assert_eq!(execution["trace_id"], CALLER_TRACE);

    let spans = collector
        .trace(
            CALLER_TRACE,
            &["http.request", "rules.evaluate_event", "executor.schedule", "worker.execution", "runtime.execute"],
        )
        .await;
    assert!(spans.iter().all(|s| s.service == "attune-server"), "{spans:#?}");
    let request = named(&spans, "http.request");
    assert_eq!(request.parent_span_id, CALLER_SPAN, "the request span is the caller's child");
    assert_eq!(named(&spans, "rules.evaluate_event").parent_span_id, request.span_id, "carried by the bus message");
    let schedule = named(&spans, "executor.schedule");
    assert_eq!(named(&spans, "worker.execution").parent_span_id, schedule.span_id, "carried by the bus message");
    let run = named(&spans, "runtime.execute");
    assert_eq!(run.parent_span_id, named(&spans, "worker.execution").span_id);
    assert_eq!(action_parent, run.span_id, "the action's parent is the span running it");

    // An execute request, another caller's trace.
    let (execution, printed) = run_printing_traceparent(&server, &token, Some(OTHER)).await;
    assert_eq!(parts(&printed).0, OTHER_TRACE);
    assert_eq!(execution["trace_id"], OTHER_TRACE);

    // No traceparent, or a forged one: a new trace of Attune's own, never the bogus value.
    let (_, fresh) = run_printing_traceparent(&server, &token, None).await;
    let forged = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"; rm -rf /";
    let (_, refused) = run_printing_traceparent(&server, &token, Some(forged)).await;
    for printed in [&fresh, &refused] {
        let (trace_id, _) = parts(printed);
        assert!(![CALLER_TRACE, OTHER_TRACE].contains(&trace_id), "{printed}");
    }
    assert_ne!(parts(&fresh).0, parts(&refused).0, "a trace per request");

    // A timer's event starts a trace of its own, which its rule's execution continues.
    let timer = json!({
        "ref": "core.traced_timer", "trigger": "core.intervaltimer",
        "trigger_parameters": {"unit": "seconds", "interval": 1},
        "action": "core.local", "parameters": {"cmd": "printf %s \"$TRACEPARENT\""},
    });
    let (status, created) = server.call("POST", "/api/v1/rules", Some(&token), Some(timer)).await;
    assert_eq!(status, 201, "{created}");
    let fired = wait_for_execution(&server, &token, "core.traced_timer").await;
    let trace_id = fired["trace_id"].as_str().unwrap().to_owned();
    assert_eq!(parts(fired["result"]["stdout"].as_str().unwrap()).0, trace_id);
    let spans = collector.trace(&trace_id, &["sensor.event", "rules.evaluate_event", "worker.execution"]).await;
    assert_eq!(named(&spans, "sensor.event").parent_span_id, "", "the root of its trace");
    assert_eq!(named(&spans, "rules.evaluate_event").parent_span_id, named(&spans, "sensor.event").span_id);

    // The worker's log line about the execution carries its trace id.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = std::fs::read_to_string(&log_path).unwrap();
        let traced = logs
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .any(|line| line["span"]["trace_id"] == CALLER_TRACE && line["fields"]["message"] == "finished");
        if traced {
            break;
        }
        assert!(Instant::now() < deadline, "no JSON log line with the trace id:\n{logs}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn distributed_traces_cross_processes_through_rabbitmq() {
    let collector = Collector::start().await;
    let database = TestDatabase::create("e2e_traces").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("traces{}", std::process::id());
    let command = |name: &str| {
        let mut command = role(&database, &prefix, &scratch.path().join(name));
        command.env("ATTUNE__OPS__TRACES__OTLP_ENDPOINT", &collector.endpoint);
        command
    };
    let migrate = command("migrate").arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let api = Server::start_role(command("api"), "api", "Attune is listening on ");
    let _executor = Server::start_role(command("executor"), "executor", "Attune executor is running");
    let _worker = Server::start_role(command("worker"), "worker", "Attune worker ");
    let token = api.login("admin", CLUSTER_PASSWORD).await;

    let (execution, printed) = run_printing_traceparent(&api, &token, Some(CALLER)).await;
    let (trace_id, action_parent) = parts(&printed);
    assert_eq!((trace_id, execution["trace_id"].as_str()), (CALLER_TRACE, Some(CALLER_TRACE)));

    let spans = collector
        .trace(CALLER_TRACE, &["http.request", "executor.schedule", "worker.execution", "runtime.execute"])
        .await;
    let service = |name: &str| named(&spans, name).service.clone();
    assert_eq!(
        [service("http.request"), service("executor.schedule"), service("worker.execution")],
        ["attune-api", "attune-executor", "attune-worker"]
    );
    let request = named(&spans, "http.request");
    assert_eq!(request.parent_span_id, CALLER_SPAN);
    // Each hop's parent came over RabbitMQ in the message's headers (the execution row holds
    // only the API's context).
    assert_eq!(named(&spans, "executor.schedule").parent_span_id, request.span_id);
    assert_eq!(named(&spans, "worker.execution").parent_span_id, named(&spans, "executor.schedule").span_id);
    assert_eq!(action_parent, named(&spans, "runtime.execute").span_id);
}

#[tokio::test]
async fn a_collector_that_is_down_costs_only_the_spans() {
    let scratch = tempfile::tempdir().unwrap();
    let mut command = attune(&scratch.path().join("data"));
    // A collector that takes connections and never answers: every export hangs.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/v1/traces", hung.local_addr().unwrap());
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD).env("ATTUNE__OPS__TRACES__OTLP_ENDPOINT", &endpoint);
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;
    let (_, printed) = run_printing_traceparent(&server, &token, Some(CALLER)).await;
    assert_eq!(parts(&printed).0, CALLER_TRACE, "contexts are passed on all the same");

    // The last export at exit gives up instead of holding the process.
    let (stopped_tx, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || stopped_tx.send(server.stop()));
    assert_eq!(stopped.recv_timeout(Duration::from_secs(30)), Ok(true), "stopped, and cleanly");
}
