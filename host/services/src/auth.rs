//! Authentication: login, refresh (with rotation and reuse detection), password changes,
//! and who the caller is.
//!
//! Refresh tokens are recorded when issued. Each can be exchanged once: the exchange marks it
//! used and issues a new pair. A used refresh token presented again means two parties hold
//! it (a stolen token, or a client replaying one), so every refresh token of its identity is
//! revoked and the identity must log in again.

use attune_domain::Id;
use attune_domain::credential::{NewRefreshToken, RefreshUse};
use attune_domain::identity::{Grant, Identity};
use attune_security::api_keys::is_api_key;
use attune_security::password::{hash_password, random_password, verify_password};
use attune_security::{TokenKind, TokenPair};
use attune_store::{IdentityPatch, StoreError};
use serde::Serialize;

use crate::rbac::{Need, Permissions};
use crate::{Platform, ServiceError, ServiceResult};

/// Shortest password accepted when one is set or changed.
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// Longest password accepted (hashing cost grows with length).
pub const MAX_PASSWORD_LENGTH: usize = 1024;

/// An Argon2id hash of a random password, checked when a login does not exist, so that a
/// wrong login costs as much time as a wrong password and logins cannot be found by timing.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_password(24))).clone()
}

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An access token from login or refresh.
    AccessToken,
    /// An API key (its id).
    ApiKey(Id),
    /// The token of a running execution, given to its action in its input: see
    /// [`ExecutionScope`].
    ExecutionToken(ExecutionScope),
}

/// What an execution's token may reach, whatever its identity's grants: the keys of the
/// execution's pack, the executions it starts, and the execution itself and those it
/// started (their state, output and cancellation). Identities, API keys, permission sets,
/// packs and everything else are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionScope {
    /// The execution the token belongs to.
    pub execution: Id,
    /// The pack of its action.
    pub pack: String,
}

/// Who made a request, once their credential is verified, with what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The identity's id.
    pub identity_id: i64,
    /// The identity's login.
    pub login: String,
    /// The identity's permission sets and grants, as they were when the request came in.
    pub permissions: Permissions,
    /// What authenticated the request.
    pub credential: Credential,
}

impl Caller {
    /// The execution a token was issued to, when the caller is an execution's action.
    pub fn execution_scope(&self) -> Option<&ExecutionScope> {
        match &self.credential {
            Credential::ExecutionToken(scope) => Some(scope),
            _ => None,
        }
    }

    /// `Ok` when the caller's grants allow `need`; otherwise `forbidden`, naming it.
    pub fn require(&self, need: Need<'_>) -> ServiceResult<()> {
        self.permissions.require(need)
    }

    /// True when the caller's grants allow `need`.
    pub fn can(&self, need: Need<'_>) -> bool {
        self.permissions.allows(need)
    }
}

/// The caller's identity, with the permission sets it holds and their grants.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// The identity.
    #[serde(flatten)]
    pub identity: Identity,
    /// Refs of the permission sets held.
    pub permission_sets: Vec<String>,
    /// Every grant of those sets.
    pub grants: Vec<Grant>,
}

/// Exchanges a login and password for a token pair.
pub async fn login(platform: &Platform, login: &str, password: &str) -> ServiceResult<TokenPair> {
    let refused = || ServiceError::Unauthenticated("invalid login or password".into());
    let identity = match platform.store.get_identity_by_login(login).await {
        Ok(identity) => Some(identity),
        Err(StoreError::NotFound { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    let hash = identity.as_ref().and_then(|i| i.password_hash.clone());
    let matches = verify_blocking(password, hash.unwrap_or_else(decoy_hash)).await?;
    match identity {
        Some(identity) if matches && identity.enabled && identity.password_hash.is_some() => {
            // Housekeeping: expired refresh tokens are of no use, not even for reuse
            // detection (an expired token is refused before it is looked up).
            if let Err(error) = platform.store.purge_expired_refresh_tokens().await {
                tracing::warn!(%error, "could not purge expired refresh tokens");
            }
            issue(platform, &identity).await
        }
        _ => Err(refused()),
    }
}

/// Exchanges a refresh token, once, for a new pair; a reused one revokes every refresh token
/// of its identity.
pub async fn refresh(platform: &Platform, refresh_token: &str) -> ServiceResult<TokenPair> {
    let claims = platform
        .tokens
        .verify(refresh_token, TokenKind::Refresh)
        .map_err(|e| ServiceError::Unauthenticated(format!("refresh token refused: {e}")))?;
    match platform.store.use_refresh_token(&claims.jti).await? {
        RefreshUse::Consumed(token) if Some(token.identity) == claims.identity_id() => {
            let identity = active_identity(platform, Some(token.identity)).await?;
            issue(platform, &identity).await
        }
        RefreshUse::Consumed(_) | RefreshUse::Unknown => {
            Err(ServiceError::Unauthenticated("refresh token refused: not issued by this server".into()))
        }
        RefreshUse::Reused(token) => {
            let revoked = platform.store.revoke_refresh_tokens(token.identity).await?;
            tracing::warn!(
                identity = token.identity,
                revoked,
                "a used refresh token was presented again: every refresh token of its identity is revoked"
            );
            Err(ServiceError::Unauthenticated(
                "refresh token already used: every session of this identity was revoked, log in again".into(),
            ))
        }
        RefreshUse::Invalid => Err(ServiceError::Unauthenticated("refresh token refused: revoked or expired".into())),
    }
}

/// The caller an access token or API key stands for, with its grants.
pub async fn authenticate(platform: &Platform, credential: &str) -> ServiceResult<Caller> {
    let (identity, credential) = if is_api_key(credential) {
        crate::api_keys::verify(platform, credential).await?
    } else {
        let claims = platform
            .tokens
            .verify_any(credential, &[TokenKind::Access, TokenKind::Execution])
            .map_err(|e| ServiceError::Unauthenticated(format!("access token refused: {e}")))?;
        let identity = active_identity(platform, claims.identity_id()).await?;
        if claims.generation != identity.token_generation {
            return Err(ServiceError::Unauthenticated(
                "access token refused: revoked (the identity's password changed or it was disabled)".into(),
            ));
        }
        match claims.execution {
            Some(execution) => (identity, Credential::ExecutionToken(running(platform, execution).await?)),
            None => (identity, Credential::AccessToken),
        }
    };
    let permissions = Permissions::from_sets(platform.store.identity_permission_sets(identity.id).await?);
    Ok(Caller { identity_id: identity.id, login: identity.login, permissions, credential })
}

/// The identity a caller is, with its permission sets.
pub async fn me(platform: &Platform, caller: &Caller) -> ServiceResult<Profile> {
    Ok(Profile {
        identity: platform.store.get_identity(caller.identity_id).await?,
        permission_sets: caller.permissions.sets().to_vec(),
        grants: caller.permissions.grants().to_vec(),
    })
}

/// Changes the caller's own password after checking the current one. Every token and API
/// key of the identity is revoked; the answer is a fresh pair for the caller.
pub async fn change_password(
    platform: &Platform,
    caller: &Caller,
    current: &str,
    new: &str,
) -> ServiceResult<TokenPair> {
    let identity = platform.store.get_identity(caller.identity_id).await?;
    let Some(hash) = identity.password_hash.clone() else {
        return Err(ServiceError::Conflict(format!(
            "identity '{}' has no password: it authenticates with API keys",
            identity.login
        )));
    };
    if !verify_blocking(current, hash).await? {
        return Err(ServiceError::Forbidden("the current password is wrong".into()));
    }
    check_password("new_password", new)?;
    if new == current {
        return Err(ServiceError::field("new_password", "must differ from the current password"));
    }
    let patch = IdentityPatch { password_hash: Some(hash_blocking(new).await?), ..IdentityPatch::default() };
    let identity = platform.store.update_identity(identity.id, &patch).await?;
    let generation = platform.store.revoke_credentials(identity.id).await?;
    tracing::info!(login = %identity.login, "password changed; every token and API key of the identity revoked");
    issue(platform, &Identity { token_generation: generation, ..identity }).await
}

/// Checks a password about to be set.
pub(crate) fn check_password(field: &str, password: &str) -> ServiceResult<()> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(ServiceError::field(field, format!("must be at least {MIN_PASSWORD_LENGTH} characters")));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(ServiceError::field(field, format!("must be at most {MAX_PASSWORD_LENGTH} characters")));
    }
    Ok(())
}

/// Runs one Argon2 computation off the async workers, at most one per CPU at a time.
///
/// Each costs tens of MiB and tens of milliseconds on purpose. Without a bound, a burst of
/// logins would start as many at once as the blocking pool has threads (hundreds): memory
/// would balloon and every other request would wait for CPU. Callers beyond the bound
/// queue here instead (and the API throttles logins before they get this far).
async fn argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    });
    let _slot = slots.acquire().await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Hashes a password (see [`argon2`]).
pub(crate) async fn hash_blocking(password: &str) -> ServiceResult<String> {
    let password = password.to_owned();
    argon2(move || hash_password(&password)).await
}

/// Verifies a password (see [`argon2`]).
async fn verify_blocking(password: &str, hash: String) -> ServiceResult<bool> {
    let password = password.to_owned();
    argon2(move || verify_password(&password, &hash)).await
}

/// Issues a pair to `identity` and records its refresh token.
async fn issue(platform: &Platform, identity: &Identity) -> ServiceResult<TokenPair> {
    let (pair, refresh) = platform.tokens.issue_recorded(identity.id, &identity.login, identity.token_generation);
    let expires_at = chrono::DateTime::from_timestamp(i64::try_from(refresh.exp).unwrap_or(i64::MAX), 0)
        .ok_or_else(|| ServiceError::Internal(format!("refresh token expiry {} out of range", refresh.exp)))?;
    platform
        .store
        .record_refresh_token(&NewRefreshToken { jti: refresh.jti, identity: identity.id, expires_at })
        .await?;
    Ok(pair)
}

/// The identity behind a credential, if it still exists and is enabled.
/// The scope of `execution`'s token, if it has not ended: an execution token is refused
/// once its execution has.
async fn running(platform: &Platform, execution: Id) -> ServiceResult<ExecutionScope> {
    let ended = || ServiceError::Unauthenticated(format!("execution {execution} of this token has ended"));
    match platform.store.get_execution(execution).await {
        Ok(found) if !found.status.is_terminal() => {
            let pack = crate::rbac::pack_of(&found.action_ref).unwrap_or_default().to_owned();
            Ok(ExecutionScope { execution, pack })
        }
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(ended()),
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn active_identity(platform: &Platform, id: Option<i64>) -> ServiceResult<Identity> {
    let gone =
        || ServiceError::Unauthenticated("the identity of this credential no longer exists or is disabled".into());
    let id = id.ok_or_else(gone)?;
    match platform.store.get_identity(id).await {
        Ok(identity) if identity.enabled => Ok(identity),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(gone()),
        Err(other) => Err(other.into()),
    }
}
