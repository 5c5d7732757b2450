//! One load at the maximum rate, the server's resident memory read every second, then the
//! drain and the idle time after it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::client::{Api, BACK_OFF, NOT_COMPLETED};
use crate::common::deployment::Deployment;
use crate::webhook::WEBHOOK;

/// Longest the executions of a load may take to complete once it has stopped.
const DRAIN: Duration = Duration::from_secs(600);

/// How each load is run.
pub struct Settings {
    /// Length of the load.
    pub duration: Duration,
    /// Idle time after it.
    pub idle: Duration,
    /// Time between printed samples.
    pub report: Duration,
    /// Client tasks.
    pub concurrency: usize,
}

/// What the client tasks send.
#[derive(Debug, Clone, Copy)]
pub enum Load {
    /// Posts to the webhook, each running `examples-wasm.echo` through the rule.
    Webhook,
    /// Execution requests of `examples-wasm.echo`.
    Pipeline,
}

impl fmt::Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Load::Webhook => "webhook → examples-wasm.echo",
            Load::Pipeline => "execute examples-wasm.echo",
        })
    }
}

impl Load {
    /// Sends one request; whether it was accepted (`false`: `503 overloaded`).
    async fn send(self, api: &Api) -> bool {
        let (path, body, accepted) = match self {
            Load::Webhook => (
                format!("/api/v1/webhooks/{WEBHOOK}"),
                json!({"kind": "bench", "service": "api-gateway", "level": "error"}),
                202,
            ),
            Load::Pipeline => (
                "/api/v1/actions/examples-wasm.echo/execute".to_owned(),
                json!({"parameters": {"message": "hello"}}),
                201,
            ),
        };
        let response = api.request(reqwest::Method::POST, &path).json(&body).send().await.expect("a request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        match status {
            503 => false,
            status if status == accepted => true,
            status => panic!("{path}: {status} {text}"),
        }
    }
}

/// Executions requested over the whole run, so that each load can wait for its own.
#[derive(Debug, Default)]
pub struct Ledger {
    accepted: u64,
}

/// The server's resident memory over one load, in MiB.
#[derive(Debug, Clone, Copy)]
pub struct Resident {
    /// Before the load.
    pub start: f64,
    /// The highest sample during the load and its drain.
    pub peak: f64,
    /// Once every execution of the load had completed.
    pub end: f64,
    /// After the idle time.
    pub idle: f64,
    /// Requests accepted per second.
    pub rate: f64,
}

impl Resident {
    /// The head of the summary table.
    pub fn header() -> String {
        format!("{:<30} {:>8} {:>9} {:>9} {:>9} {:>9}", "load (MiB resident)", "req/s", "start", "peak", "end", "idle")
    }

    /// One row of the summary table.
    pub fn row(&self, load: &str) -> String {
        format!(
            "{load:<30} {:>8.0} {:>9.0} {:>9.0} {:>9.0} {:>9.0}",
            self.rate, self.start, self.peak, self.end, self.idle
        )
    }
}

/// Runs `load` for `settings.duration`, waits until every execution it started has
/// completed, then stays idle for `settings.idle`; prints a sample every `settings.report`.
pub async fn run(
    api: &Arc<Api>,
    deployment: &Deployment,
    load: Load,
    settings: &Settings,
    ledger: &mut Ledger,
) -> Resident {
    println!("{load}:");
    println!("{:>8} {:>10} {:>10} {:>9}", "s", "accepted", "completed", "RSS MiB");
    let start = resident(deployment);
    let mut peak = start;
    let accepted = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..settings.concurrency {
        let (client, accepted, stop) = (api.clone(), accepted.clone(), stop.clone());
        clients.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if load.send(&client).await {
                    accepted.fetch_add(1, Ordering::Relaxed);
                } else {
                    tokio::time::sleep(BACK_OFF).await;
                }
            }
        });
    }
    let began = Instant::now();
    let mut printed = Duration::ZERO;
    let mut second = tokio::time::interval(Duration::from_secs(1));
    second.tick().await;
    while began.elapsed() < settings.duration {
        second.tick().await;
        peak = peak.max(resident(deployment));
        if began.elapsed() >= printed + settings.report {
            printed += settings.report;
            let done = api.count("status=completed").await;
            let sent = ledger.accepted + accepted.load(Ordering::Relaxed);
            println!("{:>8} {:>10} {:>10} {:>9.0}", printed.as_secs(), sent, done, resident(deployment));
        }
    }
    stop.store(true, Ordering::Relaxed);
    clients.join_all().await;
    let count = accepted.load(Ordering::Relaxed);
    let rate = count as f64 / began.elapsed().as_secs_f64();
    ledger.accepted += count;
    let drain = Instant::now();
    while api.count("status=completed").await < ledger.accepted {
        let failed = api.count(&format!("status={NOT_COMPLETED}")).await;
        assert_eq!(failed, 0, "executions did not complete");
        assert!(drain.elapsed() < DRAIN, "the executions have not completed after {DRAIN:?}");
        peak = peak.max(resident(deployment));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let end = resident(deployment);
    peak = peak.max(end);
    println!("  {count} accepted ({rate:.0}/s), all completed {:.0} s after the load", drain.elapsed().as_secs_f64());
    tokio::time::sleep(settings.idle).await;
    let idle = resident(deployment);
    println!(
        "  resident: start {start:.0} MiB, peak {peak:.0}, end {end:.0}, after {} s idle {idle:.0}",
        settings.idle.as_secs()
    );
    Resident { start, peak, end, idle, rate }
}

/// The server's resident memory now, in MiB.
pub fn resident(deployment: &Deployment) -> f64 {
    deployment.resident_mib().first().map_or(0.0, |(_, mib)| *mib)
}
