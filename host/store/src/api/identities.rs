//! Identities, permission sets and assignments.

use async_trait::async_trait;
use attune_domain::identity::{Grant, Identity, NewIdentity, NewPermissionSet, PermissionSet};
use attune_domain::page::{Page, PageRequest};
use attune_domain::{Id, Json};

use crate::StoreResult;

/// Changes to an identity; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityPatch {
    /// New display name.
    pub display_name: Option<String>,
    /// New Argon2id hash.
    pub password_hash: Option<String>,
    /// New attributes.
    pub attributes: Option<Json>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

/// Who can log in, and what they may do.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates an identity.
    async fn create_identity(&self, identity: &NewIdentity) -> StoreResult<Identity>;
    /// An identity by id.
    async fn get_identity(&self, id: Id) -> StoreResult<Identity>;
    /// An identity by login.
    async fn get_identity_by_login(&self, login: &str) -> StoreResult<Identity>;
    /// Identities, ordered by login.
    async fn list_identities(&self, page: PageRequest) -> StoreResult<Page<Identity>>;
    /// Changes an identity.
    async fn update_identity(&self, id: Id, patch: &IdentityPatch) -> StoreResult<Identity>;
    /// Deletes an identity (its keys and assignments go with it).
    async fn delete_identity(&self, id: Id) -> StoreResult<()>;

    /// Creates a standalone permission set, or replaces the label, description and grants of
    /// the standalone one with the same ref. A pack's permission set changes only when its
    /// pack is registered again: upserting its ref is a conflict.
    async fn upsert_permission_set(&self, set: &NewPermissionSet) -> StoreResult<PermissionSet>;
    /// A permission set by ref.
    async fn get_permission_set(&self, set_ref: &str) -> StoreResult<PermissionSet>;
    /// Permission sets, ordered by ref.
    async fn list_permission_sets(&self, page: PageRequest) -> StoreResult<Page<PermissionSet>>;
    /// Replaces a permission set's grants.
    async fn set_grants(&self, set_ref: &str, grants: &[Grant]) -> StoreResult<PermissionSet>;
    /// Deletes a permission set (its assignments go with it).
    async fn delete_permission_set(&self, set_ref: &str) -> StoreResult<()>;

    /// Gives `identity` the permission set `set_ref` (no-op when it already has it).
    async fn assign_permission_set(&self, identity: Id, set_ref: &str) -> StoreResult<()>;
    /// Takes the permission set away; returns whether it was assigned.
    async fn unassign_permission_set(&self, identity: Id, set_ref: &str) -> StoreResult<bool>;
    /// The permission sets `identity` holds, ordered by ref.
    async fn identity_permission_sets(&self, identity: Id) -> StoreResult<Vec<PermissionSet>>;

    /// [`IdentityStore::update_identity`], refused with a conflict (and nothing changed) when
    /// it would leave no enabled identity holding the permission set `keep` that one held
    /// before. Concurrent guarded changes take turns, so two of them cannot each remove one
    /// of the last two holders.
    async fn update_identity_keeping(&self, id: Id, patch: &IdentityPatch, keep: &str) -> StoreResult<Identity>;
    /// [`IdentityStore::delete_identity`], guarded like
    /// [`IdentityStore::update_identity_keeping`].
    async fn delete_identity_keeping(&self, id: Id, keep: &str) -> StoreResult<()>;
    /// [`IdentityStore::unassign_permission_set`], guarded like
    /// [`IdentityStore::update_identity_keeping`].
    async fn unassign_permission_set_keeping(&self, identity: Id, set_ref: &str, keep: &str) -> StoreResult<bool>;
}
