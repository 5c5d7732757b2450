//! The execution lifecycle: every status change an execution may make.
//!
//! ```text
//! delayed ──▶ requested ──▶ scheduling ──▶ scheduled ──▶ running ──▶ completed | failed | timeout
//!     ▲  │          │  │       │ ▲ │  │  │         │  │
//!     │  │          │  └─▶ failed│ │  │  │         │  └─▶ canceling ──▶ cancelled (or any end)
//!     │  └──────────┴──────────┼─┼─┴──┴─▶ cancelled  └─▶ abandoned
//!     │                        │ │ ├─▶ pending ──▶ completed | timeout | cancelled (an answer, or none)
//!     │                        │ │ └─▶ running (a workflow: the executor runs its graph)
//!     │                        ▼ │
//!     │                       queued ──▶ cancelled (a policy holds it back; admitted in turn)
//!     └──── back to requested: no worker yet, a stale or orphaned assignment, a retry
//! ```
//!
//! An execution that no policy governs skips `scheduling`: `requested → scheduled` in one
//! write.
//!
//! The services' lifecycle module is the only code that changes a status, and it refuses
//! any change not listed in [`TRANSITIONS`].

use crate::status::ExecutionStatus::{self, *};

/// Every allowed `(from, to)`.
pub const TRANSITIONS: &[(ExecutionStatus, ExecutionStatus)] = &[
    // Its time comes, or it is cancelled before that.
    (Delayed, Requested),
    (Delayed, Cancelled),
    // The executor picks it up (placing it on a worker at once when no policy governs
    // it), or it is cancelled before that.
    (Requested, Scheduling),
    (Requested, Scheduled),
    (Requested, Cancelled),
    // Assigned to a worker; back to waiting (no live worker yet, or the executor stalled);
    // given up (`unschedulable`); cancelled while the executor chose.
    (Scheduling, Scheduled),
    (Scheduling, Requested),
    (Scheduling, Failed),
    (Scheduling, Cancelled),
    // A workflow starts: the executor runs its graph; no worker is involved.
    (Scheduling, Running),
    // A policy holds it back (concurrency, rate limit), then admits it in its turn.
    (Scheduling, Queued),
    (Queued, Scheduling),
    (Queued, Cancelled),
    // An inquiry action asked its question; answered, unanswered in time, or withdrawn.
    (Scheduling, Pending),
    (Pending, Completed),
    (Pending, Timeout),
    (Pending, Cancelled),
    // The worker starts it; its worker died before starting it; cancelled before it started.
    (Scheduled, Running),
    (Scheduled, Requested),
    (Scheduled, Cancelled),
    // It ends; a cancel is asked for; its worker died (abandoned, or an idempotent action
    // queued for another attempt).
    (Running, Completed),
    (Running, Failed),
    (Running, Timeout),
    (Running, Cancelled),
    (Running, Canceling),
    (Running, Abandoned),
    (Running, Requested),
    // The worker stopped it, or it ended on its own before the cancel reached it.
    (Canceling, Cancelled),
    (Canceling, Completed),
    (Canceling, Failed),
    (Canceling, Timeout),
];

/// Whether an execution may move from `from` to `to`.
pub fn allowed(from: ExecutionStatus, to: ExecutionStatus) -> bool {
    TRANSITIONS.contains(&(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_statuses_never_move_and_every_other_status_can_end() {
        for &(from, _) in TRANSITIONS {
            assert!(!from.is_terminal(), "{from} is terminal, yet listed as a source");
        }
        for status in ExecutionStatus::ALL.iter().filter(|s| !s.is_terminal()) {
            assert!(allowed(*status, Cancelled) || allowed(*status, Canceling), "{status} cannot be cancelled");
        }
        assert!(!allowed(Completed, Running));
        assert!(!allowed(Requested, Running), "nothing runs without being scheduled");
    }
}
