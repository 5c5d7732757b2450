//! What one Python execution in flight costs: `examples-wasm.http_get` against a local
//! HTTP server that holds every request until it is told to answer, so that exactly `n`
//! executions are inside their guest (instantiated, interpreter started, waiting on the
//! host) when the server's resident memory is read.

use std::fmt::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};

use crate::common::client::Api;
use crate::common::deployment::Deployment;
use crate::load::resident;

/// The first execution builds the component with componentize-py and compiles it.
const FIRST_RUN: Duration = Duration::from_secs(600);
/// Longest the held executions may take to reach the server, or to end once answered.
const SETTLE: Duration = Duration::from_secs(120);
/// Longer than the server's heap trim period (`ops.heap_trim_s`, 10 s by default): a
/// reading taken after it does not count memory freed but not yet returned.
const TRIMMED: Duration = Duration::from_secs(12);

/// The figures: resident memory before, and with each number in flight.
pub struct PerExecution {
    /// Resident memory with nothing in flight (after the first execution), MiB.
    idle: f64,
    /// For each step: executions in flight, resident memory just before (nothing in
    /// flight) and with them in flight.
    steps: Vec<(usize, f64, f64)>,
    /// Resident memory after the last step had ended, MiB.
    after: f64,
    /// How long the first execution took (build, compile, run).
    first: Duration,
}

impl fmt::Display for PerExecution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "python (examples-wasm.http_get held in the host call): first execution {:.0} s; {:.0} MiB resident \
             with none in flight, {:.0} MiB after the last step",
            self.first.as_secs_f64(),
            self.idle,
            self.after
        );
        let _ = writeln!(out, "{:>10} {:>11} {:>9} {:>14}", "in flight", "before MiB", "RSS MiB", "MiB each");
        for (n, before, rss) in &self.steps {
            let _ = writeln!(out, "{n:>10} {before:>11.0} {rss:>9.0} {:>14.1}", (rss - before) / *n as f64);
        }
        f.write_str(&out)
    }
}

/// Holds `n` Python executions in flight for each `n` of `steps`, in turn.
pub async fn per_execution(api: &Arc<Api>, deployment: &Deployment, steps: &[usize]) -> PerExecution {
    let server = HoldingServer::start().await;
    let url = format!("http://localhost:{}/", server.port);
    println!("python: first execution of examples-wasm.http_get (builds and compiles the component)");
    let began = Instant::now();
    server.release(1);
    let first = execute(api, &url).await;
    wait_ended(api, &[first], FIRST_RUN).await;
    let first = began.elapsed();
    tokio::time::sleep(TRIMMED).await;
    let idle = resident(deployment);
    let mut measured = Vec::new();
    for &n in steps {
        // Each reading after a trim of the heap (`ops.heap_trim_s`): what the last step
        // freed is gone from the baseline, and the executions in flight hold only what
        // they use.
        tokio::time::sleep(TRIMMED).await;
        let baseline = resident(deployment);
        let before = server.arrived();
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(execute(api, &url).await);
        }
        server.wait_arrived(before + n).await;
        tokio::time::sleep(TRIMMED).await;
        let rss = resident(deployment);
        println!("  {n} in flight: {rss:.0} MiB resident ({baseline:.0} MiB before)");
        measured.push((n, baseline, rss));
        server.release(n);
        wait_ended(api, &ids, SETTLE).await;
    }
    PerExecution { idle, steps: measured, after: resident(deployment), first }
}

/// Requests one execution fetching `url`; its id.
async fn execute(api: &Api, url: &str) -> i64 {
    let body = json!({"parameters": {"url": url}});
    let created = api.post("/api/v1/actions/examples-wasm.http_get/execute", &body, 201).await;
    created["data"]["id"].as_i64().expect("an execution id")
}

/// Waits until every execution of `ids` has completed (any other end stops the benchmark).
async fn wait_ended(api: &Api, ids: &[i64], within: Duration) {
    let began = Instant::now();
    for id in ids {
        loop {
            let execution = api.get(&format!("/api/v1/executions/{id}")).await;
            match execution["data"]["status"].as_str().unwrap_or_default() {
                "completed" => break,
                "failed" | "timeout" | "cancelled" | "abandoned" => {
                    panic!("execution {id} did not complete: {execution}")
                }
                _ => {}
            }
            assert!(began.elapsed() < within, "execution {id} has not ended after {within:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// An HTTP server on a local port answering `{}` to each request once released.
struct HoldingServer {
    port: u16,
    arrived: Arc<AtomicUsize>,
    arrival: Arc<Notify>,
    answers: Arc<Semaphore>,
}

impl HoldingServer {
    async fn start() -> HoldingServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let port = listener.local_addr().expect("an address").port();
        let server = HoldingServer {
            port,
            arrived: Arc::default(),
            arrival: Arc::default(),
            answers: Arc::new(Semaphore::new(0)),
        };
        let (arrived, arrival, answers) = (server.arrived.clone(), server.arrival.clone(), server.answers.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (arrived, arrival, answers) = (arrived.clone(), arrival.clone(), answers.clone());
                tokio::spawn(async move {
                    let _ = answer(stream, &arrived, &arrival, &answers).await;
                });
            }
        });
        server
    }

    /// Requests received so far.
    fn arrived(&self) -> usize {
        self.arrived.load(Ordering::SeqCst)
    }

    /// Lets `n` more requests be answered.
    fn release(&self, n: usize) {
        self.answers.add_permits(n);
    }

    async fn wait_arrived(&self, count: usize) {
        let began = Instant::now();
        while self.arrived() < count {
            assert!(began.elapsed() < SETTLE, "{} of {count} requests arrived after {SETTLE:?}", self.arrived());
            let _ = tokio::time::timeout(Duration::from_millis(100), self.arrival.notified()).await;
        }
    }
}

/// Reads one request's head, counts it, waits for a permit and answers.
async fn answer(
    mut stream: TcpStream,
    arrived: &AtomicUsize,
    arrival: &Notify,
    answers: &Semaphore,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    arrived.fetch_add(1, Ordering::SeqCst);
    arrival.notify_waiters();
    answers.acquire().await.expect("the semaphore is never closed").forget();
    let body = b"{}";
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.shutdown().await
}
