//! The datastore as actions and sensors see it: keys owned by their pack.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use attune_domain::Id;
use attune_domain::key::{KeyOwner, NewKey};
use attune_domain::status::KeyOwnerType;
use attune_runtime_api::kv::check_ttl;
use attune_runtime_api::{KvError, KvStore};
use attune_store::{Store, StoreError};

/// Pack-scoped keys in the store. Encrypted keys are secrets: they are reachable only
/// through an action's granted `secrets`, never through the datastore interface.
pub struct PackKv {
    store: Arc<dyn Store>,
    pack_id: Id,
    pack_ref: String,
}

impl PackKv {
    /// The datastore of pack `pack_ref`.
    pub fn new(store: Arc<dyn Store>, pack_id: Id, pack_ref: String) -> Self {
        Self { store, pack_id, pack_ref }
    }
}

fn check_name(key: &str) -> Result<(), KvError> {
    let ok = !key.is_empty()
        && key.len() <= 256
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok { Ok(()) } else { Err(KvError(format!("'{key}' is not a valid key name (letters, digits, '_', '-', '.')"))) }
}

#[async_trait]
impl KvStore for PackKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        check_name(key)?;
        match self.store.get_key(KeyOwnerType::Pack, &self.pack_ref, key).await {
            Ok(found) if found.encrypted => Ok(None),
            Ok(found) => Ok(Some(found.value)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(error) => Err(KvError(error.to_string())),
        }
    }

    async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<(), KvError> {
        check_name(key)?;
        check_ttl(ttl)?;
        let expires_at = ttl.map(|ttl| chrono::Utc::now() + chrono::TimeDelta::seconds(ttl.as_secs() as i64));
        let key = NewKey {
            owner: KeyOwner::Pack { id: self.pack_id, r#ref: self.pack_ref.clone() },
            name: key.to_owned(),
            value: value.to_owned(),
            encrypted: false,
            encryption_key_hash: None,
            expires_at,
        };
        self.store.put_key(&key).await.map(|_| ()).map_err(|e| KvError(e.to_string()))
    }

    async fn delete(&self, key: &str) -> Result<bool, KvError> {
        check_name(key)?;
        self.store.delete_key(KeyOwnerType::Pack, &self.pack_ref, key).await.map_err(|e| KvError(e.to_string()))
    }
}
