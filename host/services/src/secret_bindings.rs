//! Secret bindings: how a system key, or another pack's key, reaches a pack's actions.
//!
//! An action lists the secrets it needs by name (`secrets: [name]`). Its own keys and its
//! pack's keys of that name are its to use; anything else — a system key, another pack's
//! key — only through a binding, which only an administrator makes: someone who may read
//! every key in clear (`key:execute` with no pack) and change the pack (`pack:modify` in
//! it). A pack's files cannot grant themselves a secret.

use attune_domain::identity::Verb;
use attune_domain::key::{NewSecretBinding, SecretBinding};
use attune_domain::status::KeyOwnerType;

use crate::auth::Caller;
use crate::rbac::Need;
use crate::{Platform, ServiceError, ServiceResult};

/// What a binding gives: a system key, or a key of another pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundKey {
    /// The system key of this name.
    System(String),
    /// The key of this name of pack `.0`.
    Pack(String, String),
}

/// Binds secret `name` of the actions of `pack_ref` to `key`; returns the binding and
/// whether it is new.
pub async fn bind(
    platform: &Platform,
    caller: &Caller,
    pack_ref: &str,
    name: &str,
    key: BoundKey,
) -> ServiceResult<(SecretBinding, bool)> {
    may_bind(caller, pack_ref)?;
    crate::keys::check_name(name)?;
    let (key_scope, key_owner, key_name) = match key {
        BoundKey::System(key) => (KeyOwnerType::System, String::new(), key),
        BoundKey::Pack(owner, key) => {
            platform
                .store
                .get_pack(&owner)
                .await
                .map_err(|_| ServiceError::field("owner", format!("pack '{owner}' does not exist")))?;
            (KeyOwnerType::Pack, owner, key)
        }
    };
    crate::keys::check_name(&key_name)
        .map_err(|_| ServiceError::field("key", "must be 1 to 256 letters, digits, '_', '-' or '.'"))?;
    let existed = platform.store.find_secret_binding(pack_ref, name).await?.is_some();
    let binding = platform
        .store
        .put_secret_binding(&NewSecretBinding {
            pack_ref: pack_ref.to_owned(),
            name: name.to_owned(),
            key_scope,
            key_owner,
            key_name,
            created_by: Some(caller.identity_id),
        })
        .await?;
    tracing::info!(pack = pack_ref, secret = name, scope = %binding.key_scope, key = %binding.key_name,
        by = %caller.login, "secret bound");
    Ok((binding, !existed))
}

/// The bindings of a pack's secrets.
pub async fn list(platform: &Platform, pack_ref: &str) -> ServiceResult<Vec<SecretBinding>> {
    platform.store.get_pack(pack_ref).await?;
    Ok(platform.store.list_secret_bindings(pack_ref).await?)
}

/// Removes a binding.
pub async fn unbind(platform: &Platform, caller: &Caller, pack_ref: &str, name: &str) -> ServiceResult<()> {
    may_bind(caller, pack_ref)?;
    if !platform.store.delete_secret_binding(pack_ref, name).await? {
        return Err(ServiceError::NotFound { entity: "secret binding", key: format!("{pack_ref}/{name}") });
    }
    tracing::info!(pack = pack_ref, secret = name, by = %caller.login, "secret unbound");
    Ok(())
}

/// Only an administrator binds: one who may decrypt every key and change the pack.
fn may_bind(caller: &Caller, pack_ref: &str) -> ServiceResult<()> {
    caller.require(Need::new("key", Verb::Execute))?;
    caller.require(Need::new("pack", Verb::Modify).in_pack(Some(pack_ref)))
}
