//! `attune:automation/kv`: the pack-scoped datastore handle of the execution.
//!
//! Calls are async and may block on the store; the execution's timeout bounds them (the
//! runner wraps the whole call in a tokio timeout). Datastore failures reach the guest as
//! error strings rather than traps: a guest may retry or report them.

use std::time::Duration;

use super::HostState;
use crate::bindings::kv::Host;

impl Host for HostState {
    async fn get(&mut self, key: String) -> Result<Option<String>, String> {
        self.kv.get(&key).await.map_err(|e| e.to_string())
    }

    async fn set(&mut self, key: String, value: String, ttl_seconds: Option<u64>) -> Result<(), String> {
        let ttl = ttl_seconds.map(Duration::from_secs);
        self.kv.set(&key, &value, ttl).await.map_err(|e| e.to_string())
    }

    async fn delete(&mut self, key: String) -> Result<bool, String> {
        self.kv.delete(&key).await.map_err(|e| e.to_string())
    }
}
