//! A fault inside the worker stays inside one execution.
//!
//! A panic while preparing or running an action (a bug in a runtime, a host function fed
//! input it did not expect) would otherwise unwind through the execution's task: the
//! execution would stay `running` (or `canceling`) forever and its slot, cancellation token
//! and output writer would never be released. [`guarded`] turns the panic into an error the
//! caller records as an `internal_error` failure, after which the usual clean-up runs.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;

/// Runs `future`; a panic inside it becomes `Err` with the panic's message.
pub async fn guarded<T>(future: impl Future<Output = T>) -> Result<T, String> {
    // Unwind safety: on a panic, everything the future borrowed is either dropped with it
    // or only read afterwards to record the failure.
    AssertUnwindSafe(future).catch_unwind().await.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_its_message() {
        let caught = guarded(async { panic!("bad {}", "input") }).await;
        assert_eq!(caught, Err::<(), _>("bad input".to_owned()));
        assert_eq!(guarded(async { 7 }).await, Ok(7));
    }
}
