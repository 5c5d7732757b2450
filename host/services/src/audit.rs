//! The audit log: appending what happened, reading definitions as they are before a
//! change, and listing entries for administrators.
//!
//! Who records what: the API's access layer records every change made through the API and
//! every decryption asked of it (`attune_api`'s `audit` module); the worker records each
//! secret it decrypts for an action and each secret an action asked for without the grant.
//! Definitions are recorded as the API shows them — webhook secrets and password hashes
//! are never serialized, keys are recorded without their values — and request bodies never,
//! so no entry holds a secret.
//!
//! An entry is appended after the act, outside its transaction: a failure to append is
//! logged as an error and does not undo what was done.

use attune_domain::audit::{AuditEntry, NewAuditEntry};
use attune_domain::page::{Page, PageRequest};
use attune_store::{AuditFilter, Store, StoreError};
use serde_json::Value;

use crate::{Platform, ServiceResult};

/// Outcome of an act that was done.
pub const OK: &str = "ok";
/// Outcome of an act that was not allowed.
pub const REFUSED: &str = "refused";
/// Outcome of an act that was allowed but failed.
pub const FAILED: &str = "failed";

/// Appends `entry`; a failure is logged, never returned.
pub async fn append(store: &dyn Store, entry: &NewAuditEntry) {
    if let Err(error) = store.append_audit(entry).await {
        tracing::error!(%error, action = %entry.action, resource = %entry.resource_type, "cannot append to the audit log");
    }
}

/// The definitions whose state before and after a change the log keeps.
pub fn keeps_definitions_of(resource_type: &str) -> bool {
    matches!(resource_type, "rule" | "policy" | "webhook" | "identity" | "permission_set" | "pack")
}

/// The definition `resource_type` `reference` as the API shows it, if it exists and is a
/// kind whose definitions the log keeps.
pub async fn definition(platform: &Platform, resource_type: &str, reference: &str) -> Option<Value> {
    let store = platform.store.as_ref();
    let found = match resource_type {
        "rule" => store.get_rule(reference).await.map(|v| serde_json::to_value(v).ok()),
        "policy" => store.get_policy(reference).await.map(|v| serde_json::to_value(v).ok()),
        "webhook" => store.get_webhook(reference).await.map(|v| serde_json::to_value(v).ok()),
        "permission_set" => store.get_permission_set(reference).await.map(|v| serde_json::to_value(v).ok()),
        "pack" => store.get_pack(reference).await.map(|v| serde_json::to_value(v).ok()),
        "identity" => {
            return crate::identities::get(platform, reference).await.ok().and_then(|v| serde_json::to_value(v).ok());
        }
        _ => return None,
    };
    match found {
        Ok(value) => value,
        Err(StoreError::NotFound { .. }) => None,
        Err(error) => {
            tracing::warn!(%error, resource_type, reference, "cannot read a definition for the audit log");
            None
        }
    }
}

/// Entries matching `filter`, the latest first.
pub async fn list(platform: &Platform, filter: &AuditFilter, page: PageRequest) -> ServiceResult<Page<AuditEntry>> {
    Ok(platform.store.list_audit(filter, page).await?)
}
