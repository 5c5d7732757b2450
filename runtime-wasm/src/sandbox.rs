//! One guest call in a fresh store, under its limits: the part actions and sensor polls
//! share.
//!
//! The store is created, armed with fuel, memory and epoch limits, then the call
//! (instantiate + export) races the execution's cancel token and a tokio timeout. The timeout
//! covers what the epoch cannot: time the guest spends blocked in a host call (a slow
//! datastore, an HTTP response that never comes), when no guest code runs to be
//! interrupted. Whatever happens, the captured output and the metering are collected.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use attune_runtime_api::{CapturedText, ExecutionIo, Failure, FailureKind, Limits, Metering};
use wasmtime::{Engine, Store};

use crate::host::{Captures, Grants, HostState};
use crate::limits::{self, Deadline};

/// Instantiating a component and calling one of its exports.
pub(crate) trait GuestCall: Send {
    /// What the export returns when it succeeds.
    type Output: Send;

    /// Instantiates in `store` and calls. The outer error is a wasmtime failure (trap,
    /// limit); the inner one a failure the call itself detected (guest `err`, bad output).
    fn call(
        self,
        store: &mut Store<HostState>,
    ) -> impl Future<Output = wasmtime::Result<Result<Self::Output, Failure>>> + Send;
}

/// How a sandboxed call ended, with everything it produced.
pub(crate) struct SandboxRun<T> {
    pub(crate) result: Result<T, Failure>,
    pub(crate) stdout: CapturedText,
    pub(crate) stderr: CapturedText,
    pub(crate) log: CapturedText,
    pub(crate) metering: Metering,
    pub(crate) denied_secrets: Vec<String>,
    pub(crate) artifacts: Vec<attune_runtime_api::PublishedArtifact>,
}

/// Runs `call` in a new store of `engine` with `grants`, under `limits`, watching `io`'s
/// cancel token and forwarding output to its sink.
pub(crate) async fn run<C: GuestCall>(
    engine: &Engine,
    call: C,
    grants: Grants,
    limits: &Limits,
    io: &ExecutionIo,
) -> SandboxRun<C::Output> {
    let started = Instant::now();
    let deadline = Deadline { at: started + limits.timeout, cancel: io.cancel.clone() };
    let captures = Captures::new(limits.output_bytes, &io.output);
    let state = HostState::new(grants, limits, deadline, &captures, &io.output);
    let mut store = Store::new(engine, state);

    let result = match limits::arm(&mut store, limits, |state| &mut state.limiter, |state| &state.deadline) {
        Err(error) => {
            Err(Failure::new(FailureKind::SetupFailed, format!("cannot set the execution's limits: {error:#}")))
        }
        Ok(()) => {
            let deadline = tokio::time::Instant::from_std(started + limits.timeout);
            tokio::select! {
                biased;
                () = io.cancel.cancelled() => Err(limits::cancelled()),
                finished = tokio::time::timeout_at(deadline, call.call(&mut store)) => {
                    match finished {
                        Err(_elapsed) => Err(limits::timed_out(limits)),
                        Ok(Ok(result)) => result,
                        Ok(Err(error)) => Err(limits::classify(&error, limits)),
                    }
                }
            }
        }
    };

    let fuel_left = store.get_fuel().unwrap_or(0);
    let peak_memory_bytes = store.data().limiter.peak();
    let crate::host::Leftovers { log, denied_secrets, artifacts } = store.into_data().finish();
    let wall_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    SandboxRun {
        result,
        stdout: finish(&captures.stdout),
        stderr: finish(&captures.stderr),
        log,
        metering: Metering {
            fuel_consumed: Some(limits.fuel.saturating_sub(fuel_left)),
            cpu_ms: None,
            peak_memory_bytes,
            wall_ms,
        },
        denied_secrets,
        artifacts,
    }
}

fn finish(capture: &Arc<std::sync::Mutex<crate::capture::StreamCapture>>) -> CapturedText {
    capture.lock().expect("capture lock poisoned").finish()
}
