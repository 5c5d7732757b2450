//! Permission sets (roles) managed through the API.
//!
//! Built-in roles are restored at every start, and a pack's sets change when the pack is
//! registered again: through the API both are read-only (a conflict). Custom sets have bare
//! names (`auditors`) so that they never collide with a pack's `pack.name` refs. Nobody hands
//! out grants they do not hold themselves.

use attune_domain::identity::{Grant, NewPermissionSet, PermissionSet, RESOURCE_TYPES};
use attune_domain::page::{Page, PageRequest};
use attune_domain::refs::validate_name;
use attune_store::StoreError;

use crate::auth::Caller;
use crate::bootstrap::roles;
use crate::{Platform, ServiceError, ServiceResult};

/// A custom permission set as a client writes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermissionSetInput {
    /// Display name (defaults to the ref).
    pub label: Option<String>,
    /// What the role is for.
    pub description: Option<String>,
    /// The grants.
    pub grants: Vec<Grant>,
}

/// Permission sets, by ref.
pub async fn list(platform: &Platform, page: PageRequest) -> ServiceResult<Page<PermissionSet>> {
    Ok(platform.store.list_permission_sets(page).await?)
}

/// One permission set.
pub async fn get(platform: &Platform, set_ref: &str) -> ServiceResult<PermissionSet> {
    Ok(platform.store.get_permission_set(set_ref).await?)
}

/// Creates a custom permission set (a conflict when the ref is taken).
pub async fn create(
    platform: &Platform,
    caller: &Caller,
    set_ref: &str,
    input: PermissionSetInput,
) -> ServiceResult<PermissionSet> {
    validate_name(set_ref).map_err(|e| {
        ServiceError::field("ref", format!("{e} (custom permission sets have bare names; 'pack.name' is for packs)"))
    })?;
    check_grants(&input.grants)?;
    caller.permissions.require_covers(&input.grants)?;
    match platform.store.get_permission_set(set_ref).await {
        Ok(_) => return Err(ServiceError::Conflict(format!("permission set '{set_ref}' already exists"))),
        Err(StoreError::NotFound { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    let set = platform.store.upsert_permission_set(&new_set(set_ref, input)).await?;
    tracing::info!(set = set_ref, by = %caller.login, "permission set created");
    Ok(set)
}

/// Replaces the label, description and grants of a custom permission set.
pub async fn replace(
    platform: &Platform,
    caller: &Caller,
    set_ref: &str,
    input: PermissionSetInput,
) -> ServiceResult<PermissionSet> {
    writable(&platform.store.get_permission_set(set_ref).await?)?;
    check_grants(&input.grants)?;
    caller.permissions.require_covers(&input.grants)?;
    let set = platform.store.upsert_permission_set(&new_set(set_ref, input)).await?;
    tracing::info!(set = set_ref, by = %caller.login, "permission set replaced");
    Ok(set)
}

/// Deletes a custom permission set (its assignments go with it).
pub async fn delete(platform: &Platform, caller: &Caller, set_ref: &str) -> ServiceResult<()> {
    writable(&platform.store.get_permission_set(set_ref).await?)?;
    platform.store.delete_permission_set(set_ref).await?;
    tracing::info!(set = set_ref, by = %caller.login, "permission set deleted");
    Ok(())
}

/// Checks grants as pack files are checked: known resource types, valid pack names, verbs.
pub fn check_grants(grants: &[Grant]) -> ServiceResult<()> {
    for (i, grant) in grants.iter().enumerate() {
        let field = format!("grants[{i}]");
        if grant.resource != "*" && !RESOURCE_TYPES.contains(&grant.resource.as_str()) {
            return Err(ServiceError::field(
                &field,
                format!("unknown resource type '{}' (one of *, {})", grant.resource, RESOURCE_TYPES.join(", ")),
            ));
        }
        if let Some(pack) = &grant.pack {
            validate_name(pack).map_err(|e| ServiceError::field(&field, format!("pack: {e}")))?;
        }
        if grant.verbs.is_empty() {
            return Err(ServiceError::field(&field, "lists no verbs"));
        }
    }
    Ok(())
}

/// Refuses changes to built-in and pack-owned sets.
fn writable(set: &PermissionSet) -> ServiceResult<()> {
    if let Some(pack) = &set.pack_ref {
        return Err(ServiceError::Conflict(format!(
            "permission set '{}' belongs to pack '{pack}': change the pack's files and register it again",
            set.r#ref
        )));
    }
    if roles().iter().any(|role| role.r#ref == set.r#ref) {
        return Err(ServiceError::Conflict(format!(
            "permission set '{}' is built in and cannot be changed; create a custom set instead",
            set.r#ref
        )));
    }
    Ok(())
}

fn new_set(set_ref: &str, input: PermissionSetInput) -> NewPermissionSet {
    NewPermissionSet {
        r#ref: set_ref.to_owned(),
        label: input.label.unwrap_or_else(|| set_ref.to_owned()),
        description: input.description,
        grants: input.grants,
    }
}
