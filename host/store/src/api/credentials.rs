//! Issued refresh tokens and API keys.

use async_trait::async_trait;
use attune_domain::credential::{ApiKey, NewApiKey, NewRefreshToken, RefreshToken, RefreshUse};
use attune_domain::{Id, Timestamp};

use crate::StoreResult;

/// Credentials besides passwords. Both kinds go when their identity is deleted.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Records an issued refresh token (a conflict when its `jti` is taken).
    async fn record_refresh_token(&self, token: &NewRefreshToken) -> StoreResult<RefreshToken>;
    /// Uses the refresh token `jti`: an unused, unrevoked, unexpired token is marked used
    /// (atomically: of two concurrent uses, one consumes it and the other sees a reuse).
    async fn use_refresh_token(&self, jti: &str) -> StoreResult<RefreshUse>;
    /// Revokes every refresh token of `identity` not revoked yet; returns how many.
    async fn revoke_refresh_tokens(&self, identity: Id) -> StoreResult<u64>;
    /// Revokes every credential of an identity at once, in one transaction: its refresh
    /// tokens, its API keys, and (by moving its token generation on) every access and
    /// execution token issued so far. Returns the new generation.
    async fn revoke_credentials(&self, identity: Id) -> StoreResult<i64>;
    /// Deletes expired refresh tokens; returns how many.
    async fn purge_expired_refresh_tokens(&self) -> StoreResult<u64>;

    /// Records an API key (a conflict when its identity has a key of that name).
    async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKey>;
    /// The API key with this digest, expired or not.
    async fn get_api_key_by_hash(&self, key_hash: &str) -> StoreResult<ApiKey>;
    /// The API keys of `identity`, oldest first.
    async fn list_api_keys(&self, identity: Id) -> StoreResult<Vec<ApiKey>>;
    /// Records that key `id` authenticated a request at `at`.
    async fn touch_api_key(&self, id: Id, at: Timestamp) -> StoreResult<()>;
    /// Deletes (revokes) key `id` of `identity`; not found when that identity has no such key.
    async fn delete_api_key(&self, identity: Id, id: Id) -> StoreResult<()>;
}
