//! API keys: how service accounts (identities without a password) authenticate.
//!
//! A key is shown once, when it is created; the store keeps its SHA-256 digest and its first
//! characters. A key acts as its identity, with that identity's grants, wherever an access
//! token is accepted (`Authorization: Bearer atk_...`). Deleting a key revokes it; an expired
//! key, or a key of a disabled identity, is refused. Only a caller covering every grant of
//! an identity creates or revokes its keys (see [`crate::identities`]).

use attune_domain::credential::{ApiKey, NewApiKey};
use attune_domain::identity::Identity;
use attune_security::api_keys::{api_key_digest, generate_api_key};
use attune_store::StoreError;
use serde::Serialize;

use crate::auth::{Caller, Credential, active_identity};
use crate::identities::require_outranks;
use crate::{Platform, ServiceError, ServiceResult};

/// Longest lifetime a key may be given (ten years), so that an expiry always fits a timestamp.
pub const MAX_EXPIRES_IN_S: u64 = 10 * 365 * 86_400;

/// How stale `last_used` may get before a request records a new time: recording every
/// request would turn each read into a write.
const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// A key just created: the only time the key itself is shown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CreatedApiKey {
    /// The stored key (digest not included).
    #[serde(flatten)]
    pub api_key: ApiKey,
    /// The key, `atk_` and 64 hex digits.
    pub key: String,
}

/// Creates a key named `name` for identity `login`, expiring after `expires_in_s` seconds
/// when given.
pub async fn create(
    platform: &Platform,
    caller: &Caller,
    login: &str,
    name: &str,
    expires_in_s: Option<u64>,
) -> ServiceResult<CreatedApiKey> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(ServiceError::field("name", "must be 1 to 128 characters, without control characters"));
    }
    let expires_at = match expires_in_s {
        None => None,
        Some(0) => return Err(ServiceError::field("expires_in_s", "must be at least 1")),
        Some(s) if s > MAX_EXPIRES_IN_S => {
            return Err(ServiceError::field("expires_in_s", format!("must be at most {MAX_EXPIRES_IN_S}")));
        }
        Some(s) => Some(chrono::Utc::now() + chrono::TimeDelta::seconds(s as i64)),
    };
    let identity = platform.store.get_identity_by_login(login).await?;
    require_outranks(platform, caller, &identity).await?;
    let generated = generate_api_key();
    let new = NewApiKey {
        identity: identity.id,
        name: name.to_owned(),
        prefix: generated.prefix.clone(),
        key_hash: generated.digest.clone(),
        expires_at,
    };
    let api_key = platform.store.create_api_key(&new).await.map_err(|error| match error {
        StoreError::Conflict(_) => {
            ServiceError::Conflict(format!("identity '{login}' already has an API key named '{name}'"))
        }
        other => other.into(),
    })?;
    tracing::info!(login, key = %api_key.prefix, by = %caller.login, "API key created");
    Ok(CreatedApiKey { api_key, key: generated.key })
}

/// The keys of identity `login` (never the keys themselves).
pub async fn list(platform: &Platform, login: &str) -> ServiceResult<Vec<ApiKey>> {
    let identity = platform.store.get_identity_by_login(login).await?;
    Ok(platform.store.list_api_keys(identity.id).await?)
}

/// Revokes key `id` of identity `login`.
pub async fn revoke(platform: &Platform, caller: &Caller, login: &str, id: i64) -> ServiceResult<()> {
    let identity = platform.store.get_identity_by_login(login).await?;
    require_outranks(platform, caller, &identity).await?;
    platform.store.delete_api_key(identity.id, id).await?;
    tracing::info!(login, key = id, by = %caller.login, "API key revoked");
    Ok(())
}

/// The identity an API key acts as, if the key exists, has not expired and its identity is
/// enabled. Records when the key was used.
pub(crate) async fn verify(platform: &Platform, key: &str) -> ServiceResult<(Identity, Credential)> {
    let refused = |why: &str| ServiceError::Unauthenticated(format!("API key refused: {why}"));
    let api_key = match platform.store.get_api_key_by_hash(&api_key_digest(key)).await {
        Ok(api_key) => api_key,
        Err(StoreError::NotFound { .. }) => return Err(refused("unknown or revoked")),
        Err(other) => return Err(other.into()),
    };
    let now = chrono::Utc::now();
    if api_key.is_expired(now) {
        return Err(refused("expired"));
    }
    let identity = active_identity(platform, Some(api_key.identity)).await?;
    if api_key.last_used.is_none_or(|used| now - used >= LAST_USED_PRECISION) {
        platform.store.touch_api_key(api_key.id, now).await?;
    }
    Ok((identity, Credential::ApiKey(api_key.id)))
}
