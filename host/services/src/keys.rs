//! The datastore through the API: keys of the system, identities, packs, actions and sensors.
//!
//! Who may do what:
//! - an identity reads and writes its own identity-scoped keys without any grant;
//! - system keys and other identities' keys need a `key` grant without a pack;
//! - pack, action and sensor keys need a `key` grant, which may be limited to their pack;
//! - writing needs `create` for a new key and `modify` to replace one; deleting `delete`;
//! - an encrypted value is shown in clear only when asked (`decrypt`) and the caller holds
//!   `execute` on `key` for it (or owns it); otherwise it is masked, and lists always mask it.
//!
//! Encrypted values are sealed with the server's cipher (AES-256-GCM) and stored with the
//! cipher's fingerprint. The store's semantics are unchanged: rule templates and actions'
//! granted secrets read the same rows.

use attune_domain::identity::Verb;
use attune_domain::key::{Key, KeyOwner, NewKey};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::KeyOwnerType;
use attune_domain::{Id, MASK, Timestamp};
use attune_store::{KeyFilter, StoreError};
use serde::Serialize;

use crate::auth::Caller;
use crate::rbac::{Need, pack_of};
use crate::{Platform, ServiceError, ServiceResult};

/// Longest TTL a key may be given (ten years), so that an expiry always fits a timestamp.
pub const MAX_TTL_S: u64 = attune_runtime_api::kv::MAX_TTL_S;

/// Where a key lives: its scope, its owner (none for system keys; the caller by default for
/// identity keys) and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAddress {
    /// The owner's kind.
    pub scope: KeyOwnerType,
    /// The owner's login or ref.
    pub owner: Option<String>,
    /// The key's name within its owner.
    pub name: String,
}

/// A key's new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The value, in clear.
    pub value: String,
    /// Store it encrypted.
    pub encrypted: bool,
    /// Seconds until the key expires.
    pub ttl_s: Option<u64>,
}

/// Narrows a key list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyQuery {
    /// Only keys of this scope.
    pub scope: Option<KeyOwnerType>,
    /// Only keys of this owner (needs `scope`; identity keys default to the caller's).
    pub owner: Option<String>,
    /// Only keys whose name starts with this.
    pub prefix: Option<String>,
}

/// A key as shown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    /// Unique id.
    pub id: Id,
    /// `name` for system keys, `owner.name` otherwise.
    #[serde(rename = "ref")]
    pub key_ref: String,
    /// The owner's kind.
    pub scope: KeyOwnerType,
    /// The owner's login or ref (absent for system keys).
    pub owner: Option<String>,
    /// The name within the owner.
    pub name: String,
    /// The value; `********` for an encrypted value not asked for, or not allowed, in clear.
    pub value: String,
    /// Whether the value is stored encrypted.
    pub encrypted: bool,
    /// When the key expires, if it has a TTL.
    pub expires_at: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

impl KeyView {
    /// The key with its value masked when encrypted.
    fn masked(key: Key) -> Self {
        let value = if key.encrypted { MASK.to_owned() } else { key.value.clone() };
        Self::with_value(key, value)
    }

    fn with_value(key: Key, value: String) -> Self {
        Self {
            id: key.id,
            key_ref: key.r#ref,
            scope: key.owner_type,
            owner: (key.owner_type != KeyOwnerType::System).then_some(key.owner),
            name: key.name,
            value,
            encrypted: key.encrypted,
            expires_at: key.expires_at,
            created: key.created,
            updated: key.updated,
        }
    }
}

/// Keys the caller may see, with encrypted values masked.
pub async fn list(
    platform: &Platform,
    caller: &Caller,
    query: KeyQuery,
    page: PageRequest,
) -> ServiceResult<Page<KeyView>> {
    if let Some(execution) = caller.execution_scope()
        && !(query.scope == Some(KeyOwnerType::Pack) && query.owner.as_deref() == Some(execution.pack.as_str()))
    {
        return Err(beyond_the_pack(&execution.pack));
    }
    let owner = match (query.scope, query.owner) {
        (None, Some(_)) => return Err(ServiceError::field("owner", "needs a scope")),
        (None, None) => {
            caller.require(Need::new("key", Verb::View))?;
            None
        }
        (Some(KeyOwnerType::System), Some(_)) => return Err(ServiceError::field("owner", "system keys have no owner")),
        (Some(KeyOwnerType::Identity), owner) => {
            let owner = owner.unwrap_or_else(|| caller.login.clone());
            authorize(caller, KeyOwnerType::Identity, &owner, Verb::View)?;
            Some(owner)
        }
        (Some(scope), Some(owner)) => {
            authorize(caller, scope, &owner, Verb::View)?;
            Some(owner)
        }
        (Some(_), None) => {
            caller.require(Need::new("key", Verb::View))?;
            None
        }
    };
    let filter = KeyFilter { owner_type: query.scope, owner, prefix: query.prefix };
    Ok(platform.store.list_keys(&filter, page).await?.map(KeyView::masked))
}

/// One key; its encrypted value in clear when `decrypt` is asked and allowed.
pub async fn get(platform: &Platform, caller: &Caller, address: &KeyAddress, decrypt: bool) -> ServiceResult<KeyView> {
    let owner = owner_of(caller, address)?;
    authorize(caller, address.scope, &owner, Verb::View)?;
    let key = find(platform, address.scope, &owner, &address.name).await?;
    if !(decrypt && key.encrypted) {
        return Ok(KeyView::masked(key));
    }
    authorize(caller, address.scope, &owner, Verb::Execute)?;
    if key.encryption_key_hash.as_deref().is_some_and(|hash| hash != platform.cipher.fingerprint()) {
        return Err(ServiceError::Conflict(format!(
            "key '{}' was encrypted with another encryption key than this server's",
            key.r#ref
        )));
    }
    let clear =
        platform.cipher.decrypt(&key.value).map_err(|e| ServiceError::Internal(format!("key {}: {e}", key.id)))?;
    Ok(KeyView::with_value(key, clear))
}

/// Creates or replaces a key; returns it (value masked when encrypted) and whether it is new.
pub async fn put(
    platform: &Platform,
    caller: &Caller,
    address: &KeyAddress,
    value: KeyValue,
) -> ServiceResult<(KeyView, bool)> {
    check_name(&address.name)?;
    let owner = owner_of(caller, address)?;
    let expires_at = match value.ttl_s {
        None => None,
        Some(0) => return Err(ServiceError::field("ttl_s", "must be at least 1")),
        Some(s) if s > MAX_TTL_S => return Err(ServiceError::field("ttl_s", format!("must be at most {MAX_TTL_S}"))),
        Some(s) => Some(chrono::Utc::now() + chrono::TimeDelta::seconds(s as i64)),
    };
    let exists = match platform.store.get_key(address.scope, &owner, &address.name).await {
        Ok(_) => true,
        Err(StoreError::NotFound { .. }) => false,
        Err(other) => return Err(other.into()),
    };
    authorize(caller, address.scope, &owner, if exists { Verb::Modify } else { Verb::Create })?;
    let key_owner = resolve_owner(platform, address.scope, &owner).await?;
    let (stored, fingerprint) = if value.encrypted {
        (platform.cipher.encrypt(&value.value), Some(platform.cipher.fingerprint().to_owned()))
    } else {
        (value.value, None)
    };
    let key = platform
        .store
        .put_key(&NewKey {
            owner: key_owner,
            name: address.name.clone(),
            value: stored,
            encrypted: value.encrypted,
            encryption_key_hash: fingerprint,
            expires_at,
        })
        .await?;
    tracing::info!(key = %key.r#ref, scope = %key.owner_type, by = %caller.login, encrypted = key.encrypted, "key written");
    Ok((KeyView::masked(key), !exists))
}

/// Deletes a key.
pub async fn delete(platform: &Platform, caller: &Caller, address: &KeyAddress) -> ServiceResult<()> {
    let owner = owner_of(caller, address)?;
    authorize(caller, address.scope, &owner, Verb::Delete)?;
    if !platform.store.delete_key(address.scope, &owner, &address.name).await? {
        return Err(not_found(address.scope, &owner, &address.name));
    }
    tracing::info!(key = %address.name, scope = %address.scope, owner, by = %caller.login, "key deleted");
    Ok(())
}

/// `Ok` when `caller` may apply `verb` to the keys of `owner` in `scope`: an execution's
/// token only to its pack's keys, anyone as their grants say.
fn authorize(caller: &Caller, scope: KeyOwnerType, owner: &str, verb: Verb) -> ServiceResult<()> {
    if let Some(execution) = caller.execution_scope()
        && !(scope == KeyOwnerType::Pack && owner == execution.pack)
    {
        return Err(beyond_the_pack(&execution.pack));
    }
    let need = Need::new("key", verb);
    match scope {
        KeyOwnerType::Identity if owner == caller.login => Ok(()),
        KeyOwnerType::Identity | KeyOwnerType::System => caller.require(need),
        KeyOwnerType::Pack => caller.require(need.in_pack(Some(owner))),
        KeyOwnerType::Action | KeyOwnerType::Sensor => caller.require(need.in_pack(pack_of(owner))),
    }
}

fn beyond_the_pack(pack: &str) -> ServiceError {
    ServiceError::Forbidden(format!(
        "an execution's token reaches only the keys of its pack (scope=pack, owner={pack})"
    ))
}

/// The owner an address names: none (empty) for system keys, the caller for identity keys
/// without one; required for the other scopes.
fn owner_of(caller: &Caller, address: &KeyAddress) -> ServiceResult<String> {
    match (address.scope, address.owner.as_deref().filter(|o| !o.is_empty())) {
        (KeyOwnerType::System, None) => Ok(String::new()),
        (KeyOwnerType::System, Some(_)) => Err(ServiceError::field("owner", "system keys have no owner")),
        (KeyOwnerType::Identity, owner) => Ok(owner.unwrap_or(&caller.login).to_owned()),
        (_, Some(owner)) => Ok(owner.to_owned()),
        (scope, None) => Err(ServiceError::field("owner", format!("required for {scope} keys"))),
    }
}

/// The owner, with its id: it must exist.
async fn resolve_owner(platform: &Platform, scope: KeyOwnerType, owner: &str) -> ServiceResult<KeyOwner> {
    let store = &platform.store;
    let found = match scope {
        KeyOwnerType::System => return Ok(KeyOwner::System),
        KeyOwnerType::Identity => {
            store.get_identity_by_login(owner).await.map(|i| KeyOwner::Identity { id: i.id, login: i.login })
        }
        KeyOwnerType::Pack => store.get_pack(owner).await.map(|p| KeyOwner::Pack { id: p.id, r#ref: p.r#ref }),
        KeyOwnerType::Action => store.get_action(owner).await.map(|a| KeyOwner::Action { id: a.id, r#ref: a.r#ref }),
        KeyOwnerType::Sensor => store.get_sensor(owner).await.map(|s| KeyOwner::Sensor { id: s.id, r#ref: s.r#ref }),
    };
    found.map_err(|error| match error {
        StoreError::NotFound { .. } => ServiceError::field("owner", format!("{scope} '{owner}' does not exist")),
        other => other.into(),
    })
}

async fn find(platform: &Platform, scope: KeyOwnerType, owner: &str, name: &str) -> ServiceResult<Key> {
    platform.store.get_key(scope, owner, name).await.map_err(|error| match error {
        StoreError::NotFound { .. } => not_found(scope, owner, name),
        other => other.into(),
    })
}

fn not_found(scope: KeyOwnerType, owner: &str, name: &str) -> ServiceError {
    let key = if owner.is_empty() { format!("{scope}/{name}") } else { format!("{scope}/{owner}/{name}") };
    ServiceError::NotFound { entity: "key", key }
}

/// Key names: 1 to 256 letters, digits, `_`, `-` and `.` (as actions' datastore names).
pub(crate) fn check_name(name: &str) -> ServiceResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok { Ok(()) } else { Err(ServiceError::field("name", "must be 1 to 256 letters, digits, '_', '-' or '.'")) }
}
