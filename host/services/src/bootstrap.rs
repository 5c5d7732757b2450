//! First-start setup, safe to run on every start: the runtimes Attune ships, the built-in
//! roles, and an `admin` identity when none exists.

use attune_domain::identity::{Grant, NewIdentity, NewPermissionSet, Verb};
use attune_domain::runtime::NewRuntime;
use attune_security::password::{hash_password, random_password};
use attune_store::StoreError;
use serde_json::json;

use crate::{Platform, ServiceError, ServiceResult};

/// Login of the identity created on first start.
pub const ADMIN_LOGIN: &str = "admin";

/// The admin identity created by this start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedAdmin {
    /// Its password.
    pub password: String,
    /// True when the password was generated (and must be shown once); false when it came
    /// from `ATTUNE_ADMIN_PASSWORD`.
    pub generated: bool,
}

/// Seeds runtimes and roles, and creates the admin identity if it does not exist (with
/// `admin_password`, or a random one). Returns the admin created by this call, if any.
pub async fn bootstrap(platform: &Platform, admin_password: Option<String>) -> ServiceResult<Option<CreatedAdmin>> {
    for runtime in runtimes() {
        platform.store.upsert_runtime(&runtime).await?;
    }
    for role in roles() {
        platform.store.upsert_permission_set(&role).await?;
    }
    match platform.store.get_identity_by_login(ADMIN_LOGIN).await {
        Ok(_) => return Ok(None),
        Err(StoreError::NotFound { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    let generated = admin_password.is_none();
    let password = admin_password.unwrap_or_else(|| random_password(24));
    let to_hash = password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&to_hash))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let admin = platform
        .store
        .create_identity(&NewIdentity {
            login: ADMIN_LOGIN.into(),
            display_name: Some("Administrator".into()),
            password_hash: Some(password_hash),
            attributes: json!({}),
        })
        .await?;
    platform.store.assign_permission_set(admin.id, "admin").await?;
    tracing::info!("created the '{ADMIN_LOGIN}' identity");
    Ok(Some(CreatedAdmin { password, generated }))
}

/// The runtimes Attune ships (one per runner type).
fn runtimes() -> Vec<NewRuntime> {
    [
        ("wasm", "WebAssembly components in the wasmtime sandbox"),
        ("shell", "Shell scripts run by bash"),
        ("python", "Python scripts, each pack in its own virtualenv"),
        ("node", "Node.js scripts, each pack with its own node_modules"),
        ("workflow", "Workflows: graphs of other actions"),
        ("builtin", "Built into Attune (timers)"),
    ]
    .into_iter()
    .map(|(name, description)| NewRuntime {
        r#ref: format!("core.{name}"),
        name: name.into(),
        description: Some(description.into()),
        execution_config: json!({ "runner_type": name }),
    })
    .collect()
}

/// The built-in roles.
pub fn roles() -> Vec<NewPermissionSet> {
    use Verb::*;
    let grant = |resource: &str, verbs: &[Verb]| Grant { resource: resource.into(), pack: None, verbs: verbs.to_vec() };
    let authoring = ["pack", "action", "trigger", "sensor", "rule", "workflow", "policy", "key", "webhook", "artifact"];
    let history = ["event", "enforcement", "worker", "runtime"];
    let mut editor: Vec<Grant> = authoring.iter().map(|r| grant(r, &[View, Create, Modify, Delete])).collect();
    editor.extend(history.iter().map(|r| grant(r, &[View])));
    editor.push(grant("action", &[Execute]));
    editor.push(grant("webhook", &[Execute]));
    editor.push(grant("execution", &[View, Create, Modify]));
    editor.push(grant("inquiry", &[View, Respond]));
    let operator = vec![
        grant("*", &[View]),
        grant("action", &[Execute]),
        grant("webhook", &[Execute]),
        grant("execution", &[Create, Modify]),
        grant("inquiry", &[Respond]),
        grant("rule", &[Modify]),
    ];
    vec![
        role("admin", "Administrator", "Everything, including identities and roles.", vec![grant("*", Verb::ALL)]),
        role("editor", "Editor", "Authors packs, rules and keys; runs actions.", editor),
        role("operator", "Operator", "Sees everything; runs actions, answers inquiries, enables rules.", operator),
        role("viewer", "Viewer", "Sees everything, changes nothing.", vec![grant("*", &[View])]),
    ]
}

fn role(r#ref: &str, label: &str, description: &str, grants: Vec<Grant>) -> NewPermissionSet {
    NewPermissionSet { r#ref: r#ref.into(), label: label.into(), description: Some(description.into()), grants }
}
