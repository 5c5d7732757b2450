//! Enforcing an execution's [`Limits`] on its store, and naming the limit that stopped it.
//!
//! - **Fuel**: the store starts with `limits.fuel`; wasmtime traps with `OutOfFuel` when it
//!   runs out.
//! - **Memory**: [`MemoryLimiter`] sees every growth of every linear memory (including the
//!   initial allocation) and refuses, with [`MemoryLimitExceeded`], growth that would take the
//!   instance's total past `limits.memory_bytes`. Refusing with an error rather than letting
//!   `memory.grow` return -1 makes the failure explicit instead of leaving it to guest code.
//! - **Time and cancellation**: the engine's epoch ticks every few milliseconds; at each tick
//!   the store's callback stops the guest with an [`Interruption`] once the deadline passed
//!   or the execution was cancelled, and otherwise yields to the async executor. Time spent
//!   blocked in host calls is bounded separately by the caller (a tokio timeout), since no
//!   guest code runs then.

use std::time::Instant;

use attune_runtime_api::{Failure, FailureKind, Limits};
use tokio_util::sync::CancellationToken;
use wasmtime::{ResourceLimiter, Store, Trap, UpdateDeadline};

/// Largest table a guest may grow (function references); CPython needs tens of thousands.
const MAX_TABLE_ELEMENTS: usize = 1_000_000;

/// Tracks and caps the linear memory of one execution.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    limit: u64,
    total: u64,
    peak: u64,
}

impl MemoryLimiter {
    /// A limiter allowing `limit` bytes across all the instance's memories.
    pub(crate) fn new(limit: u64) -> Self {
        Self { limit, total: 0, peak: 0 }
    }

    /// The largest total reached.
    pub(crate) fn peak(&self) -> u64 {
        self.peak
    }
}

/// A guest asked for more linear memory than its execution allows.
#[derive(Debug, thiserror::Error)]
#[error("the guest tried to grow its memory to {requested} bytes, past its limit of {limit} bytes")]
pub(crate) struct MemoryLimitExceeded {
    requested: u64,
    limit: u64,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let growth = (desired as u64).saturating_sub(current as u64);
        let requested = self.total.saturating_add(growth);
        if requested > self.limit {
            return Err(wasmtime::Error::new(MemoryLimitExceeded { requested, limit: self.limit }));
        }
        self.total = requested;
        self.peak = self.peak.max(requested);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// Why the epoch callback stopped a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Interruption {
    /// The deadline passed.
    #[error("the execution's deadline passed")]
    Timeout,
    /// The cancel token fired.
    #[error("the execution was cancelled")]
    Cancelled,
}

/// What the epoch callback needs to know about its execution.
#[derive(Debug, Clone)]
pub(crate) struct Deadline {
    /// When the execution must end.
    pub(crate) at: Instant,
    /// Fires when a user cancels.
    pub(crate) cancel: CancellationToken,
}

/// Arms `store` with the fuel, memory and time limits. `limiter` and `deadline` pick the
/// execution's [`MemoryLimiter`] and [`Deadline`] out of the store data.
pub(crate) fn arm<T: Send + 'static>(
    store: &mut Store<T>,
    limits: &Limits,
    limiter: fn(&mut T) -> &mut MemoryLimiter,
    deadline: fn(&T) -> &Deadline,
) -> wasmtime::Result<()> {
    store.limiter(move |state| limiter(state) as &mut dyn ResourceLimiter);
    store.set_fuel(limits.fuel)?;
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |context| {
        let deadline = deadline(context.data());
        if deadline.cancel.is_cancelled() {
            return Err(wasmtime::Error::new(Interruption::Cancelled));
        }
        if Instant::now() >= deadline.at {
            return Err(wasmtime::Error::new(Interruption::Timeout));
        }
        // Check again at the next tick; meanwhile let other tasks on this thread run.
        Ok(UpdateDeadline::Yield(1))
    });
    Ok(())
}

/// The failure a wasmtime error stands for: which limit stopped the guest, or the trap.
pub(crate) fn classify(error: &wasmtime::Error, limits: &Limits) -> Failure {
    if let Some(interruption) = error.downcast_ref::<Interruption>() {
        return match interruption {
            Interruption::Timeout => timed_out(limits),
            Interruption::Cancelled => cancelled(),
        };
    }
    if let Some(exceeded) = error.downcast_ref::<MemoryLimitExceeded>() {
        return Failure::new(FailureKind::MemoryLimit, exceeded.to_string());
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => {
            Failure::new(FailureKind::FuelExhausted, format!("the guest used all its fuel ({} units)", limits.fuel))
        }
        Some(Trap::Interrupt) => timed_out(limits),
        Some(trap) => Failure::new(FailureKind::Trap, format!("the guest trapped: {trap}")),
        None => Failure::new(FailureKind::Trap, format!("the guest failed: {error:#}")),
    }
}

/// Whether `error` is a limit or a trap (as opposed to a host-side setup problem).
pub(crate) fn is_limit(error: &wasmtime::Error) -> bool {
    error.is::<Interruption>() || error.is::<MemoryLimitExceeded>() || error.is::<Trap>()
}

/// The failure of an execution that ran past its timeout.
pub(crate) fn timed_out(limits: &Limits) -> Failure {
    Failure::new(
        FailureKind::Timeout,
        format!("the execution did not finish within its time limit of {} ms", limits.timeout.as_millis()),
    )
}

/// The failure of a cancelled execution.
pub(crate) fn cancelled() -> Failure {
    Failure::new(FailureKind::Cancelled, "the execution was cancelled")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_capped_across_memories_and_peak_is_tracked() {
        let mut limiter = MemoryLimiter::new(100);
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        assert!(limiter.memory_growing(0, 30, None).unwrap(), "a second memory");
        let error = limiter.memory_growing(60, 80, None).unwrap_err();
        assert!(error.is::<MemoryLimitExceeded>());
        assert_eq!(limiter.peak(), 90);
        assert!(limiter.memory_growing(30, 40, None).unwrap());
        assert_eq!(limiter.peak(), 100);
    }

    #[test]
    fn errors_are_named_by_the_limit_that_fired() {
        let limits = attune_runtime_api::LimitPolicy::default().defaults;
        let kind = |error: wasmtime::Error| classify(&error, &limits).kind;
        assert_eq!(kind(wasmtime::Error::new(Interruption::Timeout)), FailureKind::Timeout);
        assert_eq!(kind(wasmtime::Error::new(Interruption::Cancelled)), FailureKind::Cancelled);
        assert_eq!(kind(wasmtime::Error::new(Trap::OutOfFuel)), FailureKind::FuelExhausted);
        assert_eq!(kind(wasmtime::Error::new(Trap::UnreachableCodeReached).context("in run")), FailureKind::Trap);
    }
}
