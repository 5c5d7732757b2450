//! Authentication: login, refresh, and who the caller is.

use attune_domain::identity::Identity;
use attune_security::password::{hash_password, random_password, verify_password};
use attune_security::{TokenKind, TokenPair};
use attune_store::StoreError;

use crate::{Platform, ServiceError, ServiceResult};

/// An Argon2id hash of a random password, checked when a login does not exist, so that a
/// wrong login costs as much time as a wrong password and logins cannot be found by timing.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| hash_password(&random_password(24)))
        .clone()
}

/// Who made a request, once their token is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The identity's id.
    pub identity_id: i64,
    /// The identity's login.
    pub login: String,
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
    let password = password.to_owned();
    // Argon2 is deliberately slow: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || {
        verify_password(&password, &hash.unwrap_or_else(decoy_hash))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    match identity {
        Some(identity) if matches && identity.enabled && identity.password_hash.is_some() => {
            Ok(platform.tokens.issue(identity.id, &identity.login))
        }
        _ => Err(refused()),
    }
}

/// Exchanges a valid refresh token for a new pair.
pub async fn refresh(platform: &Platform, refresh_token: &str) -> ServiceResult<TokenPair> {
    let claims = platform
        .tokens
        .verify(refresh_token, TokenKind::Refresh)
        .map_err(|e| ServiceError::Unauthenticated(format!("refresh token refused: {e}")))?;
    let identity = active_identity(platform, claims.identity_id()).await?;
    Ok(platform.tokens.issue(identity.id, &identity.login))
}

/// The caller an access token stands for.
pub async fn authenticate(platform: &Platform, access_token: &str) -> ServiceResult<Caller> {
    let claims = platform
        .tokens
        .verify(access_token, TokenKind::Access)
        .map_err(|e| ServiceError::Unauthenticated(format!("access token refused: {e}")))?;
    let identity = active_identity(platform, claims.identity_id()).await?;
    Ok(Caller {
        identity_id: identity.id,
        login: identity.login,
    })
}

/// The identity a caller is.
pub async fn me(platform: &Platform, caller: &Caller) -> ServiceResult<Identity> {
    Ok(platform.store.get_identity(caller.identity_id).await?)
}

/// The identity behind a token, if it still exists and is enabled.
async fn active_identity(platform: &Platform, id: Option<i64>) -> ServiceResult<Identity> {
    let gone = || {
        ServiceError::Unauthenticated(
            "the identity of this token no longer exists or is disabled".into(),
        )
    };
    let id = id.ok_or_else(gone)?;
    match platform.store.get_identity(id).await {
        Ok(identity) if identity.enabled => Ok(identity),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(gone()),
        Err(other) => Err(other.into()),
    }
}
