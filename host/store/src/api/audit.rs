//! The audit log.

use async_trait::async_trait;
use attune_domain::Timestamp;
use attune_domain::audit::{AuditEntry, NewAuditEntry};
use attune_domain::page::{Page, PageRequest};

use crate::StoreResult;

/// Narrows an audit list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only what this login did.
    pub actor_login: Option<String>,
    /// Only this action (`PUT /api/v1/rules/{rule_ref}`, `key.decrypt`, ...).
    pub action: Option<String>,
    /// Only acts on this kind of resource.
    pub resource_type: Option<String>,
    /// Only acts on this resource.
    pub resource_ref: Option<String>,
    /// Only this outcome (`ok`, `refused`, `failed`).
    pub outcome: Option<String>,
    /// At or after.
    pub since: Option<Timestamp>,
    /// Before.
    pub until: Option<Timestamp>,
}

/// An append-only record: entries are added and listed, never changed.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry, timed now.
    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Entries, the latest first.
    async fn list_audit(&self, filter: &AuditFilter, page: PageRequest) -> StoreResult<Page<AuditEntry>>;
}
