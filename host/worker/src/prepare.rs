//! Turning a stored execution into a runtime request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use attune_domain::action::Action;
use attune_domain::audit::NewAuditEntry;
use attune_domain::execution::Execution;
use attune_domain::status::{KeyOwnerType, OutputFormat};
use attune_runtime_api::{ExecutionContext, ExecutionRequest, RequestedLimits, Runtime};
use attune_security::{Cipher, TokenIssuer};
use attune_services::audit;
use attune_services::secret_params::{Redactor, unseal};
use attune_store::{Store, StoreError};
use serde_json::json;

use crate::config::WorkerConfig;
use attune_services::kv::PackKv;

/// What preparing needs.
pub struct Preparation<'a> {
    pub store: &'a Arc<dyn Store>,
    pub cipher: &'a Cipher,
    pub tokens: &'a TokenIssuer,
    pub registry: &'a attune_runtime_api::RuntimeRegistry,
    pub config: &'a WorkerConfig,
}

/// What an execution runs with.
pub struct Prepared {
    /// The runtime for its runner type.
    pub runtime: Arc<dyn Runtime>,
    /// The request to give it.
    pub request: ExecutionRequest,
    /// Masks its secret parameters and granted secrets in whatever it produces.
    pub redactor: Redactor,
}

/// The runtime, request and redactor of an execution, or why it cannot start.
pub async fn prepare(with: &Preparation<'_>, execution: &Execution) -> Result<Prepared, String> {
    // The snapshot taken when the execution was requested, not the action as it is now.
    let action = execution.action().map_err(|e| e.to_string())?;
    let runtime = with.registry.get(action.runner_type.as_str()).map_err(|e| e.to_string())?;
    let pack = with.store.get_pack(&action.pack_ref).await.map_err(|e| match e {
        StoreError::NotFound { .. } => format!("pack '{}' no longer exists", action.pack_ref),
        other => other.to_string(),
    })?;
    // A pack installed from an archive is unpacked here by its digest (fetched from the
    // store the first time), so a worker needs no files shared with the API.
    let limits = attune_packs::archive::Limits::default();
    let pack_dir = attune_packs::pack_files(with.store.as_ref(), &pack, &with.config.packs_cache, &limits)
        .await
        .map_err(|e| e.to_string())?;
    let entry_point =
        action.entry_point.clone().ok_or_else(|| format!("action '{}' has no entry point", action.r#ref))?;
    let secret_names = execution.sealed_names();
    let parameters =
        unseal(&execution.parameters, secret_names.iter().copied(), with.cipher).map_err(|e| e.to_string())?;
    let secrets = granted_secrets(with, execution, &action).await?;
    let limit = |name: &str| action.limits[name].as_u64();
    let requested_limits = RequestedLimits {
        timeout_s: action.timeout_s.and_then(|t| u64::try_from(t).ok()),
        fuel: limit("fuel"),
        memory_mb: limit("memory_mb"),
        processes: limit("processes"),
        open_files: limit("open_files"),
        cpu_s: limit("cpu_s"),
        tmp_mb: limit("tmp_mb"),
    };
    let limits = with.config.limits.resolve(&requested_limits);
    let api_token = api_token(with, execution, limits.timeout).await?;
    let redactor = Redactor::new(
        Redactor::values_of(&parameters, secret_names.iter().copied())
            .into_iter()
            .chain(secrets.values().cloned())
            .chain(api_token.clone()),
    );
    let request = ExecutionRequest {
        context: ExecutionContext {
            execution_id: execution.id,
            action_ref: action.r#ref.clone(),
            pack_ref: action.pack_ref.clone(),
            attempt: u32::try_from(execution.attempt).unwrap_or(1),
            rule_ref: execution.rule_ref.clone(),
            trigger_ref: execution.trigger_ref.clone(),
            api_url: with.config.api_url.clone(),
            api_token,
            // Set by the worker once the span running the action is open.
            trace_parent: None,
        },
        entry_point: pack_dir.join("actions").join(entry_point),
        pack_dir,
        parameters,
        secrets,
        pack_config: pack.config.clone(),
        output_format: match action.output_format {
            OutputFormat::Json => attune_runtime_api::OutputFormat::Json,
            OutputFormat::Yaml => attune_runtime_api::OutputFormat::Yaml,
            OutputFormat::Text => attune_runtime_api::OutputFormat::Text,
        },
        allowed_hosts: action.allowed_hosts.clone(),
        limits,
        requested_limits,
        kv: Arc::new(PackKv::new(with.store.clone(), pack.id, pack.r#ref)),
    };
    Ok(Prepared { runtime, request, redactor })
}

/// The execution's API token (in its input, never its environment): it acts as the
/// identity that requested the execution, or for an execution a rule started as the
/// rule's last author, within the execution's scope (see `ExecutionScope`), and is refused
/// once the execution has ended (or after its time limit). Executions of rules from pack
/// files get none, as do those whose identity is gone or disabled.
async fn api_token(with: &Preparation<'_>, execution: &Execution, limit: Duration) -> Result<Option<String>, String> {
    let acting_as = match execution.executor {
        Some(requester) => Some(requester),
        None => rule_author(with.store.as_ref(), execution).await?,
    };
    let Some(acting_as) = acting_as else { return Ok(None) };
    match with.store.get_identity(acting_as).await {
        Ok(identity) if identity.enabled => {
            let ttl = safety_margin(limit);
            Ok(Some(with.tokens.issue_for_execution(
                identity.id,
                &identity.login,
                identity.token_generation,
                execution.id,
                ttl,
            )))
        }
        Ok(_) | Err(StoreError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other.to_string()),
    }
}

/// Who last wrote the definition of the rule that started `execution`, as it was when the
/// rule matched (the enforcement's snapshot of it).
async fn rule_author(store: &dyn Store, execution: &Execution) -> Result<Option<i64>, String> {
    let Some(enforcement) = execution.enforcement else { return Ok(None) };
    match store.get_enforcement(enforcement).await {
        Ok(enforcement) => Ok(enforcement.config["updated_by"].as_i64()),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other.to_string()),
    }
}

/// The secrets an action is granted, decrypted: for each name it lists, its own key of
/// that name, else its pack's, else the key an administrator bound to that name for its
/// pack (a system key or another pack's). Names with no key are left out: a pack's files
/// alone never reach a system key.
///
/// Each key decrypted is recorded in the audit log (`secret.decrypt`: the key, the action
/// and the execution; never the value).
async fn granted_secrets(
    with: &Preparation<'_>,
    execution: &Execution,
    action: &Action,
) -> Result<BTreeMap<String, String>, String> {
    let (store, cipher) = (with.store.as_ref(), with.cipher);
    let mut granted = BTreeMap::new();
    for name in &action.secrets {
        let mut places = vec![
            (KeyOwnerType::Action, action.r#ref.clone(), name.clone()),
            (KeyOwnerType::Pack, action.pack_ref.clone(), name.clone()),
        ];
        if let Some(binding) = store.find_secret_binding(&action.pack_ref, name).await.map_err(|e| e.to_string())? {
            places.push((binding.key_scope, binding.key_owner, binding.key_name));
        }
        for (owner_type, owner, key_name) in places {
            match store.get_key(owner_type, &owner, &key_name).await {
                Ok(key) => {
                    let value = if key.encrypted {
                        let clear = cipher.decrypt(&key.value).map_err(|e| format!("secret '{name}': {e}"))?;
                        let entry = NewAuditEntry {
                            source: Some(format!("worker {}", with.config.name)),
                            action: "secret.decrypt".into(),
                            resource_type: "key".into(),
                            resource_ref: Some(format!("{owner_type}:{owner}/{key_name}")),
                            outcome: audit::OK.into(),
                            detail: Some(json!({"execution": execution.id, "action": action.r#ref, "secret": name})),
                            ..NewAuditEntry::default()
                        };
                        audit::append(store, &entry).await;
                        clear
                    } else {
                        key.value
                    };
                    granted.insert(name.clone(), value);
                    break;
                }
                Err(StoreError::NotFound { .. }) => continue,
                Err(other) => return Err(other.to_string()),
            }
        }
    }
    Ok(granted)
}

/// How long the worker waits beyond an execution's own limit before it gives up on a
/// runtime that did not stop it.
pub fn safety_margin(limit: Duration) -> Duration {
    limit + Duration::from_secs(30)
}
