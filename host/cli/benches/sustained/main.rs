//! Sustained and overload runs of the webhook pipeline: posts at a fixed rate for a fixed
//! time against the embedded deployment (`attune server`, release binary), reported minute
//! by minute, then a look at how it recovers.
//!
//! The same webhook and rule as the webhook benchmark: each post matches the rule, whose
//! action (`examples-wasm.echo`) runs. Posts are sent on a fixed schedule whatever the
//! answers (each in its own task, so a slow answer does not slow the schedule); a post
//! answered `503 overloaded` is counted as shed, any other answer than `202` or `503` as an
//! error. Each reported interval gives: posts sent, accepted, shed and failed; the answer
//! time's p50 and p99; executions completed in it; the backlog left (accepted posts whose
//! execution has not completed); the pipeline latency of its completed executions (stored
//! → completed, p50/p99 over the newest 200); and the server's resident memory.
//!
//! After the timed phase the rate drops to a tenth for [`RECOVERY`]: every post must then
//! be accepted (the API has recovered), and at the end every accepted post's execution must
//! have completed and none failed.
//!
//! Run with `cargo bench -p attune --bench sustained` (release build). Knobs:
//!
//! | variable | default | what |
//! | --- | --- | --- |
//! | `ATTUNE_BENCH_RATE` | 800 | posts per second |
//! | `ATTUNE_BENCH_DURATION_S` | 600 | seconds at that rate |
//! | `ATTUNE_BENCH_REPORT_S` | 60 | seconds per reported interval |
//! | `ATTUNE_BENCH_LOG` | `warn` | `RUST_LOG` of the server |
//! | `ATTUNE_BENCH_BINARY` | the built `attune` | another build to measure |

#[path = "../common/mod.rs"]
#[allow(dead_code, reason = "this benchmark uses the deployments and the client, not the load drivers")]
mod common;
#[path = "../webhook/measure.rs"]
#[allow(dead_code, reason = "this benchmark shares the webhook benchmark's set-up, not its measurements")]
mod measure;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::client::Api;
use common::deployment::{self, Deployment, Mode};
use common::stats::load_average;
use measure::{RULE, WEBHOOK};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// How long the rate stays at a tenth after the timed phase.
const RECOVERY: Duration = Duration::from_secs(20);
/// Longest the backlog may take to drain at the end.
const DRAIN: Duration = Duration::from_secs(600);

/// Answers of one interval.
#[derive(Default)]
struct Interval {
    sent: AtomicU64,
    accepted: AtomicU64,
    shed: AtomicU64,
    failed: AtomicU64,
    answers: Mutex<Vec<Duration>>,
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}: not a number: {v}")))
}

fn main() {
    let rate = knob("ATTUNE_BENCH_RATE", 800);
    let duration = Duration::from_secs(knob("ATTUNE_BENCH_DURATION_S", 600));
    let report = Duration::from_secs(knob("ATTUNE_BENCH_REPORT_S", 60));
    let log = std::env::var("ATTUNE_BENCH_LOG").unwrap_or_else(|_| "warn".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async {
        println!("sustained webhooks: {rate} posts/s for {} s, reported every {} s", duration.as_secs(), report.as_secs());
        println!("load average before: {}", load_average());
        let deployment = Deployment::start(Mode::Embedded, "bench_sustained", &log).await;
        let api = Arc::new(Api::login(&deployment.url, deployment::ADMIN_PASSWORD).await);
        measure::set_up(&api).await;
        let accepted_total = Arc::new(AtomicU64::new(0));
        println!("resident at the start: {:.0} MiB", resident(&deployment));
        println!(
            "{:>6} {:>7} {:>8} {:>6} {:>6} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9} {:>8}",
            "to s", "sent", "accepted", "shed", "failed", "ans p50", "ans p99", "completed", "backlog", "pipe p50", "pipe p99", "RSS MiB"
        );
        let started = Instant::now();
        let mut completed_before = 0;
        let mut at = Duration::ZERO;
        while at < duration {
            let length = report.min(duration - at);
            let interval = drive(&api, rate, length, &accepted_total).await;
            at += length;
            let completed = api.count(&format!("rule={RULE}&status=completed")).await;
            let (pipe50, pipe99) = pipeline_latency(&api).await;
            let answers = percentiles(&mut interval.answers.lock().await);
            println!(
                "{:>6} {:>7} {:>8} {:>6} {:>6} {:>8.1} {:>8.1} {:>9} {:>8} {:>9.1} {:>9.1} {:>8.0}",
                at.as_secs(),
                interval.sent.load(Ordering::Relaxed),
                interval.accepted.load(Ordering::Relaxed),
                interval.shed.load(Ordering::Relaxed),
                interval.failed.load(Ordering::Relaxed),
                answers.0,
                answers.1,
                completed - completed_before,
                accepted_total.load(Ordering::Relaxed).saturating_sub(completed),
                pipe50,
                pipe99,
                resident(&deployment),
            );
            completed_before = completed;
        }
        // Recovery: a tenth of the rate, every post accepted.
        let recovery = drive(&api, (rate / 10).max(1), RECOVERY, &accepted_total).await;
        let (sent, accepted) = (recovery.sent.load(Ordering::Relaxed), recovery.accepted.load(Ordering::Relaxed));
        println!("recovery at {} posts/s for {} s: {accepted} of {sent} accepted", (rate / 10).max(1), RECOVERY.as_secs());
        let drain = Instant::now();
        let accepted_total = accepted_total.load(Ordering::Relaxed);
        while api.count(&format!("rule={RULE}&status=completed")).await < accepted_total {
            assert!(drain.elapsed() < DRAIN, "the backlog did not drain");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let failed = api.count(&format!("rule={RULE}&status={}", common::client::NOT_COMPLETED)).await;
        println!(
            "drained {} s after the recovery; {accepted_total} accepted posts, all completed, {failed} failed; {:.0} s in all",
            drain.elapsed().as_secs(),
            started.elapsed().as_secs_f64()
        );
        println!("resident at the end: {:.0} MiB", resident(&deployment));
        println!("load average after: {}", load_average());
        assert_eq!(failed, 0, "executions failed");
        assert!(accepted >= sent.saturating_sub(rate / 10), "the API did not recover: {accepted} of {sent} accepted");
    });
}

/// Posts at `rate` for `length`, each post in its own task; returns the interval's answers
/// once every post of it has been answered.
async fn drive(api: &Arc<Api>, rate: u64, length: Duration, accepted_total: &Arc<AtomicU64>) -> Arc<Interval> {
    let interval = Arc::new(Interval::default());
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = tokio::task::JoinSet::new();
    let end = Instant::now() + length;
    let body = Arc::new(json!({"kind": "bench", "service": "api-gateway", "level": "error"}));
    while Instant::now() < end {
        tick.tick().await;
        let (api, interval, body, accepted_total) =
            (api.clone(), interval.clone(), body.clone(), accepted_total.clone());
        interval.sent.fetch_add(1, Ordering::Relaxed);
        posts.spawn(async move {
            let sent = Instant::now();
            let status = post_status(&api, &body).await;
            interval.answers.lock().await.push(sent.elapsed());
            match status {
                202 => {
                    interval.accepted.fetch_add(1, Ordering::Relaxed);
                    accepted_total.fetch_add(1, Ordering::Relaxed);
                }
                503 => {
                    interval.shed.fetch_add(1, Ordering::Relaxed);
                }
                _ => {
                    interval.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        while posts.try_join_next().is_some() {}
    }
    posts.join_all().await;
    interval
}

/// Posts `body` to the webhook: the answer's status, whatever it is (`0` when there was no
/// answer).
async fn post_status(api: &Api, body: &Value) -> u16 {
    match api.request(reqwest::Method::POST, &format!("/api/v1/webhooks/{WEBHOOK}")).json(body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            response.bytes().await.map_or(0, |_| status)
        }
        Err(_) => 0,
    }
}

/// Stored → completed of the newest 200 completed executions of the rule: p50 and p99 in ms.
async fn pipeline_latency(api: &Api) -> (f64, f64) {
    let page = api.get(&format!("/api/v1/executions?rule={RULE}&status=completed&page_size=200")).await;
    let mut spans: Vec<Duration> =
        page["data"].as_array().map(|items| items.iter().filter_map(span).collect()).unwrap_or_default();
    percentiles(&mut spans)
}

fn span(execution: &Value) -> Option<Duration> {
    let at = |field: &str| chrono::DateTime::parse_from_rfc3339(execution[field].as_str()?).ok();
    (at("finished")? - at("created")?).to_std().ok()
}

/// p50 and p99 in ms (zero when empty).
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
    (at(0.50), at(0.99))
}

fn resident(deployment: &Deployment) -> f64 {
    deployment.resident_mib().first().map_or(0.0, |(_, mib)| *mib)
}
