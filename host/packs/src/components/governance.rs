//! `policies/` and `permission_sets/`.

use std::path::Path;

use attune_domain::identity::{NewPermissionSet, RESOURCE_TYPES};
use attune_domain::policy::NewPolicy;
use attune_domain::refs::ComponentRef;
use attune_domain::status::{PolicyMethod, PolicyType};
use serde_json::json;

use super::PackContext;
use crate::manifest::{PermissionSetManifest, PolicyManifest};

/// Validates one policy file.
pub(crate) fn policy(ctx: &PackContext<'_>, file: &Path, m: PolicyManifest) -> Result<NewPolicy, String> {
    let policy_ref = ctx.component_ref(file, &m)?;
    policy_definition(policy_ref, m)
}

/// Validates a policy given as a JSON document in the pack file format (the API's
/// policies); `policy_ref` is the ref it is stored under.
pub fn policy_from_json(policy_ref: &str, body: &serde_json::Value) -> Result<NewPolicy, String> {
    let mut m: PolicyManifest = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
    if m.name.is_some() || m.pack.is_some() {
        return Err("give the policy's 'ref' (pack.name), not 'name' or 'pack'".into());
    }
    ComponentRef::parse(policy_ref).map_err(|e| format!("ref: {e}"))?;
    m.component_ref = Some(policy_ref.to_owned());
    policy_definition(policy_ref.to_owned(), m)
}

/// Checks a policy's settings: each type takes its own and no others.
fn policy_definition(policy_ref: String, m: PolicyManifest) -> Result<NewPolicy, String> {
    ComponentRef::parse(&m.action).map_err(|e| format!("action: {e}"))?;
    let forbid = |present: bool, key: &str| -> Result<(), String> {
        if present { Err(format!("'{key}' does not apply to {} policies", m.policy_type)) } else { Ok(()) }
    };
    let (threshold, method, settings) = match m.policy_type {
        PolicyType::Concurrency => {
            forbid(m.window_s.is_some(), "window_s")?;
            forbid(m.count.is_some() || m.delay_s.is_some() || m.on.is_some(), "count/delay_s/on")?;
            forbid(m.backoff.is_some() || m.max_delay_s.is_some(), "backoff/max_delay_s")?;
            let threshold = positive("threshold", m.threshold)?;
            (threshold, Some(m.method.unwrap_or(PolicyMethod::Enqueue)), json!({}))
        }
        PolicyType::RateLimit => {
            forbid(m.count.is_some() || m.delay_s.is_some() || m.on.is_some(), "count/delay_s/on")?;
            forbid(m.backoff.is_some() || m.max_delay_s.is_some(), "backoff/max_delay_s")?;
            let threshold = positive("threshold", m.threshold)?;
            let window = positive("window_s", m.window_s)?;
            (threshold, Some(m.method.unwrap_or(PolicyMethod::Enqueue)), json!({ "window_s": window }))
        }
        PolicyType::Retry => {
            forbid(m.window_s.is_some(), "window_s")?;
            forbid(m.method.is_some(), "method")?;
            forbid(!m.parameters.is_empty(), "parameters")?;
            let count = positive("count", m.count.or(m.threshold))?;
            let delay = m.delay_s.unwrap_or(0);
            if delay < 0 {
                return Err("delay_s must not be negative".into());
            }
            let on = m.on.unwrap_or_else(|| vec!["failed".into(), "timeout".into()]);
            if on.is_empty() || on.iter().any(|s| s != "failed" && s != "timeout") {
                return Err("on must list one or both of: failed, timeout".into());
            }
            let exponential = match m.backoff.as_deref() {
                None | Some("fixed") => false,
                Some("exponential") => true,
                Some(other) => return Err(format!("backoff must be fixed or exponential, not '{other}'")),
            };
            if let Some(max) = m.max_delay_s {
                if !exponential {
                    return Err("max_delay_s applies to exponential backoff only".into());
                }
                if max < delay {
                    return Err(format!("max_delay_s ({max}) must not be less than delay_s ({delay})"));
                }
            }
            let mut settings = json!({ "delay_s": delay, "on": on });
            if exponential {
                settings["backoff"] = json!("exponential");
                if let Some(max) = m.max_delay_s {
                    settings["max_delay_s"] = json!(max);
                }
            }
            (count, None, settings)
        }
    };
    Ok(NewPolicy {
        r#ref: policy_ref,
        action_ref: m.action,
        policy_type: m.policy_type,
        method,
        threshold,
        parameters: m.parameters,
        settings,
        enabled: m.enabled.unwrap_or(true),
    })
}

fn positive(key: &str, value: Option<i64>) -> Result<i64, String> {
    match value {
        Some(v) if v >= 1 => Ok(v),
        Some(v) => Err(format!("{key} must be at least 1, not {v}")),
        None => Err(format!("{key} is required")),
    }
}

/// Validates one permission set file.
pub(crate) fn permission_set(
    ctx: &PackContext<'_>,
    file: &Path,
    m: PermissionSetManifest,
) -> Result<NewPermissionSet, String> {
    let set_ref = ctx.component_ref(file, &m)?;
    for grant in &m.grants {
        if grant.resource != "*" && !RESOURCE_TYPES.contains(&grant.resource.as_str()) {
            return Err(format!(
                "grants: unknown resource type '{}' (one of *, {})",
                grant.resource,
                RESOURCE_TYPES.join(", ")
            ));
        }
        if grant.verbs.is_empty() {
            return Err(format!("grants: the grant on '{}' lists no verbs", grant.resource));
        }
    }
    Ok(NewPermissionSet {
        label: m.label.unwrap_or_else(|| set_ref.clone()),
        r#ref: set_ref,
        description: m.description,
        grants: m.grants,
    })
}
