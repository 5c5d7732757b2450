//! Retention: deleting history that is due, in small batches.

use async_trait::async_trait;
use attune_domain::Timestamp;

use crate::StoreResult;

/// What retention collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collectable {
    /// Ended executions (with their output, inquiries and workflow state), by when they
    /// ended; never one whose parent is unfinished or that a running workflow holds.
    Executions,
    /// Output lines of ended executions, by when they were written.
    Output,
    /// Events whose rules were evaluated, by creation.
    Events,
    /// Enforcements that were processed, by creation.
    Enforcements,
    /// Audit entries, by when they were recorded.
    Audit,
    /// Artifacts, by creation.
    Artifacts,
}

impl Collectable {
    /// Every kind, in the order a collection pass takes them (what references others
    /// first).
    pub const ALL: [Collectable; 6] = [
        Collectable::Output,
        Collectable::Executions,
        Collectable::Enforcements,
        Collectable::Events,
        Collectable::Audit,
        Collectable::Artifacts,
    ];

    /// Its name in settings, metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Collectable::Executions => "executions",
            Collectable::Output => "output",
            Collectable::Events => "events",
            Collectable::Enforcements => "enforcements",
            Collectable::Audit => "audit",
            Collectable::Artifacts => "artifacts",
        }
    }
}

/// Which rows are due: those older than `before`, and those beyond the `keep` newest
/// (counted among the rows that may be collected at all). Neither: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    /// Rows older than this are due.
    pub before: Option<Timestamp>,
    /// Rows beyond this many newest are due.
    pub keep: Option<u64>,
}

/// Deletes history that is due.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Deletes at most `batch` rows of `kind` that are `due`, the oldest first, in one
    /// short statement; returns how many it deleted (fewer than `batch`: none are left).
    async fn collect(&self, kind: Collectable, due: Due, batch: u32) -> StoreResult<u64>;
}
