//! Identities managed through the API: users (with a password) and service accounts
//! (without one: they authenticate with API keys), and the permission sets they hold.
//!
//! Nobody acts on an identity that holds more than they do: changing, disabling or
//! deleting an identity, taking a permission set from it and managing its API keys all need
//! a caller whose grants cover every grant the identity holds (which an identity acting on
//! itself always does). Otherwise a help desk holding `identity:modify` could reset the
//! administrator's password or mint an API key for it.
//!
//! The installation never loses its last administrator: disabling, deleting or taking
//! `admin` away from the last enabled identity holding it is refused, atomically in the
//! store (two administrators cannot remove each other at the same moment).

use attune_domain::Json;
use attune_domain::identity::{Identity, NewIdentity, PermissionSet};
use attune_domain::page::{Page, PageRequest};
use attune_store::{IdentityPatch, StoreError};
use serde::Serialize;

use crate::auth::{Caller, check_password, hash_blocking};
use crate::{Platform, ServiceError, ServiceResult};

/// The permission set the installation always keeps one enabled holder of.
pub const ADMIN_SET: &str = "admin";

/// An identity as shown: never its password hash, but whether it has a password.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IdentityView {
    /// The identity.
    #[serde(flatten)]
    pub identity: Identity,
    /// False for service accounts (they authenticate with API keys only).
    pub has_password: bool,
    /// Refs of the permission sets it holds, when asked for one identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_sets: Option<Vec<String>>,
}

impl IdentityView {
    fn of(identity: Identity) -> Self {
        Self { has_password: identity.password_hash.is_some(), identity, permission_sets: None }
    }
}

/// An identity to create; without a password it is a service account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityInput {
    /// Unique login.
    pub login: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Password (hashed before it is stored).
    pub password: Option<String>,
    /// Custom attributes (a JSON object).
    pub attributes: Option<Json>,
}

/// Changes to an identity; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New attributes (a JSON object).
    pub attributes: Option<Json>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// New password, set by an administrator (no current password needed).
    pub password: Option<String>,
}

/// Checks a login: 1 to 128 letters, digits, `.`, `_`, `-` and `@`, starting with a letter
/// or digit (so that an e-mail address is a valid login).
pub fn validate_login(login: &str) -> ServiceResult<()> {
    let ok = (1..=128).contains(&login.len())
        && login.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(ServiceError::field(
            "login",
            "must be 1 to 128 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
        ))
    }
}

fn check_attributes(attributes: &Option<Json>) -> ServiceResult<()> {
    match attributes {
        Some(value) if !value.is_object() => Err(ServiceError::field("attributes", "must be a JSON object")),
        _ => Ok(()),
    }
}

/// Creates an identity (a service account when no password is given).
pub async fn create(platform: &Platform, input: IdentityInput) -> ServiceResult<IdentityView> {
    validate_login(&input.login)?;
    check_attributes(&input.attributes)?;
    let password_hash = match &input.password {
        Some(password) => {
            check_password("password", password)?;
            Some(hash_blocking(password).await?)
        }
        None => None,
    };
    let new = NewIdentity {
        login: input.login.clone(),
        display_name: input.display_name,
        password_hash,
        attributes: input.attributes.unwrap_or_else(|| Json::Object(Default::default())),
    };
    let identity = platform.store.create_identity(&new).await.map_err(|error| match error {
        StoreError::Conflict(_) => ServiceError::Conflict(format!("identity '{}' already exists", input.login)),
        other => other.into(),
    })?;
    tracing::info!(login = %identity.login, service_account = identity.password_hash.is_none(), "identity created");
    Ok(IdentityView::of(identity))
}

/// Identities, by login.
pub async fn list(platform: &Platform, page: PageRequest) -> ServiceResult<Page<IdentityView>> {
    Ok(platform.store.list_identities(page).await?.map(IdentityView::of))
}

/// One identity, with the refs of the permission sets it holds.
pub async fn get(platform: &Platform, login: &str) -> ServiceResult<IdentityView> {
    let identity = platform.store.get_identity_by_login(login).await?;
    let sets = platform.store.identity_permission_sets(identity.id).await?;
    Ok(IdentityView {
        permission_sets: Some(sets.into_iter().map(|s| s.r#ref).collect()),
        ..IdentityView::of(identity)
    })
}

/// Changes an identity. Setting a password or disabling the identity revokes every token and
/// API key it has; disabling the last enabled administrator is refused.
pub async fn update(
    platform: &Platform,
    caller: &Caller,
    login: &str,
    changes: IdentityChanges,
) -> ServiceResult<IdentityView> {
    check_attributes(&changes.attributes)?;
    if let Some(password) = &changes.password {
        check_password("password", password)?;
    }
    let identity = platform.store.get_identity_by_login(login).await?;
    require_outranks(platform, caller, &identity).await?;
    let password_hash = match &changes.password {
        Some(password) => Some(hash_blocking(password).await?),
        None => None,
    };
    let ends_sessions = password_hash.is_some() || changes.enabled == Some(false);
    let patch = IdentityPatch {
        display_name: changes.display_name,
        password_hash,
        attributes: changes.attributes,
        enabled: changes.enabled,
    };
    let updated = platform.store.update_identity_keeping(identity.id, &patch, ADMIN_SET).await.map_err(last_admin)?;
    if ends_sessions {
        platform.store.revoke_credentials(updated.id).await?;
        tracing::info!(login, "every token and API key of the identity revoked");
    }
    Ok(IdentityView::of(updated))
}

/// Deletes an identity (its keys, API keys and assignments go with it); deleting the last
/// enabled administrator is refused.
pub async fn delete(platform: &Platform, caller: &Caller, login: &str) -> ServiceResult<()> {
    let identity = platform.store.get_identity_by_login(login).await?;
    require_outranks(platform, caller, &identity).await?;
    platform.store.delete_identity_keeping(identity.id, ADMIN_SET).await.map_err(last_admin)?;
    tracing::info!(login, by = %caller.login, "identity deleted");
    Ok(())
}

/// The permission sets identity `login` holds.
pub async fn permission_sets(platform: &Platform, login: &str) -> ServiceResult<Vec<PermissionSet>> {
    let identity = platform.store.get_identity_by_login(login).await?;
    Ok(platform.store.identity_permission_sets(identity.id).await?)
}

/// The permission set `set_ref` of identity `login`; not found when it does not hold it.
pub async fn permission_set(platform: &Platform, login: &str, set_ref: &str) -> ServiceResult<PermissionSet> {
    permission_sets(platform, login).await?.into_iter().find(|set| set.r#ref == set_ref).ok_or_else(|| {
        ServiceError::NotFound { entity: "permission set assignment", key: format!("{login}/{set_ref}") }
    })
}

/// Gives identity `login` the permission set `set_ref`. Nobody hands out grants they do not
/// hold themselves.
pub async fn assign(platform: &Platform, caller: &Caller, login: &str, set_ref: &str) -> ServiceResult<()> {
    let identity = platform.store.get_identity_by_login(login).await?;
    let set = platform.store.get_permission_set(set_ref).await?;
    caller.permissions.require_covers(&set.grants)?;
    platform.store.assign_permission_set(identity.id, set_ref).await?;
    tracing::info!(login, set = set_ref, by = %caller.login, "permission set assigned");
    Ok(())
}

/// Takes the permission set `set_ref` away from identity `login`; not found when it does not
/// hold it. Taking `admin` from its last enabled holder is refused.
pub async fn unassign(platform: &Platform, caller: &Caller, login: &str, set_ref: &str) -> ServiceResult<()> {
    let identity = platform.store.get_identity_by_login(login).await?;
    require_outranks(platform, caller, &identity).await?;
    let removed =
        platform.store.unassign_permission_set_keeping(identity.id, set_ref, ADMIN_SET).await.map_err(last_admin)?;
    if !removed {
        return Err(ServiceError::NotFound { entity: "permission set assignment", key: format!("{login}/{set_ref}") });
    }
    tracing::info!(login, set = set_ref, by = %caller.login, "permission set unassigned");
    Ok(())
}

/// `Ok` when `caller`'s grants cover every grant `identity` holds; otherwise `forbidden`,
/// naming the identity and the first grant the caller lacks.
pub(crate) async fn require_outranks(platform: &Platform, caller: &Caller, identity: &Identity) -> ServiceResult<()> {
    let held: Vec<_> =
        platform.store.identity_permission_sets(identity.id).await?.into_iter().flat_map(|set| set.grants).collect();
    match caller.permissions.first_uncovered(&held) {
        None => Ok(()),
        Some(grant) => Err(ServiceError::Forbidden(format!(
            "identity '{}' holds {grant}, which the caller does not: only a caller holding at least as much may \
             change it, take its permission sets or manage its API keys",
            identity.login
        ))),
    }
}

fn last_admin(error: StoreError) -> ServiceError {
    match error {
        StoreError::Conflict(_) => ServiceError::Conflict(format!(
            "refused: this would leave no enabled identity holding '{ADMIN_SET}' (the last administrator)"
        )),
        other => other.into(),
    }
}
