//! Named fault points: where a test makes the executor stop as if its process had died.
//!
//! A crash can come between any two writes. Each point below sits right after one of the
//! scheduler's writes; when a test arms it, the scheduler stops there — the write is made,
//! nothing after it happens — and the test checks that recovery finishes the work. Nothing
//! is armed in production.

use std::collections::BTreeSet;
use std::sync::Mutex;

/// A place the executor can be stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultPoint {
    /// After `requested → scheduling`, before choosing a worker.
    AfterBeginScheduling,
    /// After its policies admitted it (their slots taken), before placing it.
    AfterAdmit,
    /// After `scheduling → scheduled`, before telling the worker.
    AfterAssign,
    /// After a workflow's child ended and its policies were seen to, before the workflow
    /// takes its step (the finish hint lost, as far as the workflow is concerned).
    BeforeParentStep,
}

/// The armed fault points of one executor.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<BTreeSet<FaultPoint>>,
}

impl Faults {
    /// None armed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Arms `point`: the next time the executor reaches it, it stops there (once).
    pub fn arm(&self, point: FaultPoint) {
        self.armed.lock().expect("faults lock").insert(point);
    }

    /// Whether the executor stops at `point` now (disarming it).
    pub fn crash_at(&self, point: FaultPoint) -> bool {
        self.armed.lock().expect("faults lock").remove(&point)
    }
}
