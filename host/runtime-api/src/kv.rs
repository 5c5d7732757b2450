//! The pack-scoped key-value datastore as actions and sensors see it.
//!
//! The worker hands each execution a handle already scoped to the action's pack; the
//! runtime exposes it to guests (WIT `kv`) without knowing how it is stored.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

/// A datastore operation failed on the host side.
#[derive(Debug, thiserror::Error)]
#[error("datastore error: {0}")]
pub struct KvError(pub String);

/// Longest time-to-live a key may be given: ten years. Beyond some point expiry instants
/// stop being representable; no datastore entry needs more.
pub const MAX_TTL_S: u64 = 10 * 365 * 86_400;

/// Refuses a time-to-live longer than [`MAX_TTL_S`]; every [`KvStore::set`] checks it first.
pub fn check_ttl(ttl: Option<Duration>) -> Result<(), KvError> {
    match ttl {
        Some(ttl) if ttl.as_secs() > MAX_TTL_S => {
            Err(KvError(format!("ttl-seconds {} is more than the longest allowed, {MAX_TTL_S}", ttl.as_secs())))
        }
        _ => Ok(()),
    }
}

/// A pack-scoped key-value datastore.
#[async_trait]
pub trait KvStore: Send + Sync {
    /// The value of `key`, unless absent or expired.
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;
    /// Sets `key`, optionally expiring after `ttl`.
    async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<(), KvError>;
    /// Deletes `key`; returns whether it existed.
    async fn delete(&self, key: &str) -> Result<bool, KvError>;
}

/// A process-local datastore: what a sensor or test uses when no store is attached.
#[derive(Debug, Default)]
pub struct MemoryKv {
    entries: Mutex<HashMap<String, (String, Option<Instant>)>>,
}

impl MemoryKv {
    /// An empty datastore.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl KvStore for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let mut entries = self.entries.lock().expect("kv lock poisoned");
        match entries.get(key) {
            Some((_, Some(expiry))) if *expiry <= Instant::now() => {
                entries.remove(key);
                Ok(None)
            }
            Some((value, _)) => Ok(Some(value.clone())),
            None => Ok(None),
        }
    }

    async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<(), KvError> {
        check_ttl(ttl)?;
        let expiry = ttl.map(|ttl| Instant::now() + ttl);
        self.entries.lock().expect("kv lock poisoned").insert(key.to_owned(), (value.to_owned(), expiry));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<bool, KvError> {
        Ok(self.entries.lock().expect("kv lock poisoned").remove(key).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn set_get_expire_delete() {
        let kv = MemoryKv::new();
        kv.set("a", "1", None).await.unwrap();
        kv.set("b", "2", Some(Duration::ZERO)).await.unwrap();
        assert_eq!(kv.get("a").await.unwrap().as_deref(), Some("1"));
        assert_eq!(kv.get("b").await.unwrap(), None, "expired values are gone");
        assert!(kv.delete("a").await.unwrap());
        assert!(!kv.delete("a").await.unwrap());
    }
}
