//! Datastore keys.

use async_trait::async_trait;
use attune_domain::key::{Key, NewKey, NewSecretBinding, SecretBinding};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::KeyOwnerType;

use crate::StoreResult;

/// Narrows a key list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFilter {
    /// Only keys of this owner type.
    pub owner_type: Option<KeyOwnerType>,
    /// Only keys of this owner (login or ref).
    pub owner: Option<String>,
    /// Only keys whose name starts with this.
    pub prefix: Option<String>,
}

/// The scoped key-value datastore. Expired keys are never returned.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Creates a key or replaces the value of the one with the same owner and name.
    async fn put_key(&self, key: &NewKey) -> StoreResult<Key>;
    /// A key by owner and name.
    async fn get_key(&self, owner_type: KeyOwnerType, owner: &str, name: &str) -> StoreResult<Key>;
    /// Keys, ordered by ref, then by id (the keys of different owners can share a ref:
    /// pack `a` key `b.c` and action `a.b` key `c` are both `a.b.c`).
    async fn list_keys(&self, filter: &KeyFilter, page: PageRequest) -> StoreResult<Page<Key>>;
    /// Deletes a key; returns whether it existed.
    async fn delete_key(&self, owner_type: KeyOwnerType, owner: &str, name: &str) -> StoreResult<bool>;
    /// Deletes expired keys; returns how many.
    async fn purge_expired_keys(&self) -> StoreResult<u64>;
    /// Binds a secret name of a pack to a key (replacing an earlier binding of that name);
    /// the pack must exist.
    async fn put_secret_binding(&self, binding: &NewSecretBinding) -> StoreResult<SecretBinding>;
    /// The binding of secret `name` for the actions of `pack_ref`, if there is one.
    async fn find_secret_binding(&self, pack_ref: &str, name: &str) -> StoreResult<Option<SecretBinding>>;
    /// A pack's bindings, by name.
    async fn list_secret_bindings(&self, pack_ref: &str) -> StoreResult<Vec<SecretBinding>>;
    /// Removes a binding; returns whether it existed.
    async fn delete_secret_binding(&self, pack_ref: &str, name: &str) -> StoreResult<bool>;
}
