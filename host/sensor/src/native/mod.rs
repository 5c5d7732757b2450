//! Native sensors (`runner_type: python | shell | node`): a long-running script, started
//! the way an action is and kept running.
//!
//! The language prepares the launch (interpreter, the pack's virtualenv or
//! `node_modules`), the script gets its input on stdin (`input`) and writes events on
//! stdout (`lines`), and the native runtime's supervisor runs it in its own process group
//! with no timeout and no output limit, confined by the native sandbox like an action (its
//! pack, its environment and the system directories read-only, a private `/tmp`, the
//! default native limits). When the process ends — crash or clean exit, a sensor is not
//! meant to stop — the sensor is `failing` ("exited with code 1; restarting in 4 s") and
//! is started again after an exponential back-off. Stopping the sensor stops the whole
//! process group: SIGTERM, the configured grace period, SIGKILL.

mod input;
mod lines;

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use attune_domain::status::SensorStatus;
use attune_runtime_api::{OutputLine, OutputSink};
use attune_runtime_native::process::supervise;
use attune_runtime_native::sandbox::Confined;
use attune_runtime_native::sandbox::spec::HelperReport;
use attune_runtime_native::{Ending, ScriptLanguage, ScriptTarget, SetupError, SetupIo, SupervisionPolicy, Toolchain};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{RestartBackoff, seconds};
use crate::context::Context;
use crate::custom::CustomSensor;

/// Bytes kept of each output stream of an environment build (pip, npm).
const SETUP_OUTPUT_LIMIT: usize = 1 << 20;

/// A native sensor and what it runs with.
pub(crate) struct NativeSensor {
    pub(crate) unit: CustomSensor,
    pub(crate) language: Arc<dyn ScriptLanguage>,
    pub(crate) toolchain: Arc<Toolchain>,
    pub(crate) backoff: RestartBackoff,
    pub(crate) api_url: Option<String>,
}

/// How one start went.
enum Run {
    /// Stopped on purpose.
    Cancelled,
    /// The process could not be started.
    NotStarted(String),
    /// It ran and ended by itself.
    Ended { detail: String, uptime: Duration },
}

/// Keeps the sensor's process running until `cancel` fires.
pub(crate) async fn run(ctx: Context, sensor: NativeSensor, cancel: CancellationToken) {
    let sensor_ref = sensor.unit.sensor_ref().to_owned();
    let mut failures = 0u32;
    for start in 1u64.. {
        let ended = match run_once(&ctx, &sensor, start, &cancel).await {
            Run::Cancelled => return,
            Run::NotStarted(problem) => problem,
            Run::Ended { detail, uptime } => {
                if uptime >= sensor.backoff.reset_after {
                    failures = 0;
                }
                detail
            }
        };
        failures = failures.saturating_add(1);
        let delay = sensor.backoff.delay(failures);
        ctx.status(&sensor_ref, SensorStatus::Failing, Some(format!("{ended}; restarting in {}", seconds(delay))))
            .await;
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Starts the process once and supervises it to its end.
async fn run_once(ctx: &Context, sensor: &NativeSensor, start: u64, cancel: &CancellationToken) -> Run {
    let unit = &sensor.unit;
    let (pack_dir, entry_point) = match (unit.pack_dir(), unit.entry_point()) {
        (Ok(dir), Ok(file)) => (dir, file),
        (Err(problem), _) | (_, Err(problem)) => return Run::NotStarted(problem),
    };
    if !entry_point.is_file() {
        return Run::NotStarted(format!("the entry point {} does not exist", entry_point.display()));
    }
    let target = ScriptTarget { pack_ref: &unit.pack.r#ref, pack_dir: &pack_dir, entry_point: &entry_point };
    let setup =
        SetupIo { output: log_sink(unit.sensor_ref()), cancel: cancel.clone(), output_limit: SETUP_OUTPUT_LIMIT };
    let launch = match sensor.language.prepare(&sensor.toolchain, &target, &setup).await {
        Ok(launch) => launch,
        Err(SetupError::Cancelled) => return Run::Cancelled,
        Err(error) => return Run::NotStarted(format!("cannot start: {error}")),
    };
    let stdin = input::stdin(sensor.language.as_ref(), unit, start);
    let variables = input::variables(unit, sensor.api_url.as_deref());
    let exposure = launch.exposure(&pack_dir);
    let spec = launch.into_spec(&sensor.toolchain, variables, &pack_dir, stdin);
    let limits = sensor.toolchain.config().sandbox.limits.defaults;
    let Confined { spec, report, .. } = match sensor.toolchain.sandbox().confine(spec, &exposure, &limits) {
        Ok(confined) => confined,
        Err(error) => return Run::NotStarted(format!("cannot start: {error}")),
    };
    let program = spec.program.clone();
    let process = match spec.spawn() {
        Ok(process) => process,
        Err(error) => return Run::NotStarted(format!("cannot start {}: {error}", program.display())),
    };
    let pid = process.pid();
    let started = Instant::now();
    ctx.status(unit.sensor_ref(), SensorStatus::Running, Some(format!("pid {pid}"))).await;

    // Bounded: a sensor printing faster than its events are recorded would otherwise grow
    // the backlog without end. Lines beyond it are dropped, counted and reported.
    let (lines_tx, lines_rx) = mpsc::channel(lines::BACKLOG);
    let dropped = Arc::new(AtomicU64::new(0));
    let overflow = dropped.clone();
    let sink: Arc<dyn OutputSink> = Arc::new(move |line: OutputLine| {
        // The consumer outlives the process's output: a send fails only when it is full.
        if lines_tx.try_send(line).is_err() {
            overflow.fetch_add(1, Ordering::Relaxed);
        }
    });
    let consumer = tokio::spawn(lines::consume(ctx.clone(), unit.clone(), lines_rx, dropped, pid));
    let policy =
        SupervisionPolicy { timeout: None, grace_period: sensor.toolchain.config().grace_period(), output_limit: None };
    let supervised = supervise(process, &policy, sink, cancel).await;
    // Every line read is turned into an event before the end is reported.
    if let Err(error) = consumer.await {
        tracing::error!(sensor = %unit.sensor_ref(), %error, "a sensor output consumer panicked");
    }
    let detail = match report.read() {
        Some(HelperReport { setup_error: Some(problem), .. }) => format!("the sandbox could not start it: {problem}"),
        Some(HelperReport { limit: Some(limit), .. }) => format!("stopped at its {limit} limit"),
        _ => describe(supervised.exit_status),
    };
    match supervised.ending {
        Ending::Cancelled => Run::Cancelled,
        _ => Run::Ended { detail, uptime: started.elapsed() },
    }
}

/// "exited with code 1", "killed by signal 9".
fn describe(status: Option<ExitStatus>) -> String {
    match status {
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => format!("ended ({status})"),
        },
        None => "ended (its exit status is unknown)".to_owned(),
    }
}

/// Output of environment builds, as log lines of the service.
fn log_sink(sensor_ref: &str) -> Arc<dyn OutputSink> {
    let sensor_ref = sensor_ref.to_owned();
    Arc::new(move |line: OutputLine| tracing::info!(sensor = %sensor_ref, stream = ?line.stream, "{}", line.text))
}
