//! `actions/<name>.yaml`.

use std::path::Path;

use attune_domain::action::NewAction;
use attune_domain::status::{OutputFormat, RunnerType};

use super::{PackContext, param_schema};
use crate::manifest::ActionManifest;

/// Validates one action file.
pub(crate) fn action(ctx: &PackContext<'_>, file: &Path, m: ActionManifest) -> Result<NewAction, String> {
    let action_ref = ctx.component_ref(file, &m)?;
    if m.runner_type == RunnerType::Inquiry {
        return inquiry_action(action_ref, m);
    }
    let extensions: &[&str] = match m.runner_type {
        RunnerType::Wasm => &["wasm", "wat", "py"],
        RunnerType::Python => &["py"],
        RunnerType::Shell => &["sh", "bash"],
        RunnerType::Node => &["js", "mjs", "cjs"],
        RunnerType::Workflow => {
            return Err("workflows are declared in workflows/<name>.yaml".into());
        }
        RunnerType::Builtin => {
            return Err("runner_type 'builtin' is reserved for Attune's own sensors".into());
        }
        RunnerType::Inquiry => unreachable!("inquiry actions are checked above"),
    };
    let entry_point = m.entry_point.ok_or("entry_point is required")?;
    let path = ctx.entry_point_file("actions", &entry_point)?;
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if !extensions.contains(&extension.as_str()) {
        return Err(format!(
            "entry_point '{entry_point}' does not suit runner_type {}: expected one of .{}",
            m.runner_type,
            extensions.join(", .")
        ));
    }
    if extension == "wasm" {
        check_wasm_magic(&path).map_err(|e| format!("entry_point {entry_point}: {e}"))?;
    }
    param_schema("parameters", &m.parameters)?;
    if let Some(schema) = &m.output_schema {
        attune_params::check_json_schema(schema).map_err(|e| format!("output_schema: {e}"))?;
    }
    if m.timeout.is_some_and(|t| t <= 0) {
        return Err("timeout must be a positive number of seconds".into());
    }
    let is_wasm = m.runner_type == RunnerType::Wasm;
    if let Some(limits) = &m.limits {
        limits.check(is_wasm)?;
    }
    if !is_wasm && !m.allowed_hosts.is_empty() {
        return Err("allowed_hosts apply to wasm actions only".into());
    }
    if is_wasm && m.output_format.is_some() {
        return Err("output_format applies to native (python, shell, node) actions only".into());
    }
    for secret in &m.secrets {
        check_key_name(secret).map_err(|e| format!("secrets: {e}"))?;
    }
    for host in &m.allowed_hosts {
        check_host(host).map_err(|e| format!("allowed_hosts: {e}"))?;
    }
    let limits = match &m.limits {
        Some(limits) => serde_json::to_value(limits).map_err(|e| e.to_string())?,
        None => serde_json::json!({}),
    };
    let name = action_ref.split_once('.').map(|(_, n)| n.to_owned()).unwrap_or_default();
    Ok(NewAction {
        label: m.label.unwrap_or(name),
        r#ref: action_ref,
        description: m.description,
        runner_type: m.runner_type,
        entry_point: Some(entry_point),
        param_schema: m.parameters,
        output_schema: m.output_schema,
        output_format: m.output_format.unwrap_or(OutputFormat::Json),
        timeout_s: m.timeout,
        limits,
        secrets: m.secrets,
        allowed_hosts: m.allowed_hosts,
        idempotent: m.idempotent,
    })
}

/// An inquiry action: no code, only the question's parameters (which the pack may give
/// defaults, e.g. a fixed prompt and assignees for an approval step).
fn inquiry_action(action_ref: String, m: ActionManifest) -> Result<NewAction, String> {
    let code_only = [
        (m.entry_point.is_some(), "entry_point"),
        (m.limits.is_some(), "limits"),
        (!m.secrets.is_empty(), "secrets"),
        (!m.allowed_hosts.is_empty(), "allowed_hosts"),
        (m.output_format.is_some(), "output_format"),
        (m.timeout.is_some(), "timeout (an inquiry waits timeout_s, a parameter)"),
    ];
    if let Some((_, key)) = code_only.iter().find(|(present, _)| *present) {
        return Err(format!("'{key}' does not apply to inquiry actions (they run no code)"));
    }
    param_schema("parameters", &m.parameters)?;
    if let Some(names) = m.parameters.as_object()
        && let Some(unknown) = names.keys().find(|name| !INQUIRY_PARAMETERS.contains(&name.as_str()))
    {
        return Err(format!("parameters.{unknown}: an inquiry action takes only {}", INQUIRY_PARAMETERS.join(", ")));
    }
    if let Some(schema) = &m.output_schema {
        attune_params::check_json_schema(schema).map_err(|e| format!("output_schema: {e}"))?;
    }
    let name = action_ref.split_once('.').map(|(_, n)| n.to_owned()).unwrap_or_default();
    Ok(NewAction {
        label: m.label.unwrap_or(name),
        r#ref: action_ref,
        description: m.description,
        runner_type: RunnerType::Inquiry,
        entry_point: None,
        param_schema: m.parameters,
        output_schema: m.output_schema,
        output_format: OutputFormat::Json,
        timeout_s: None,
        limits: serde_json::json!({}),
        secrets: Vec::new(),
        allowed_hosts: Vec::new(),
        idempotent: true,
    })
}

/// The parameters an inquiry action reads (see `attune_domain::inquiry::Question`).
const INQUIRY_PARAMETERS: &[&str] = &["prompt", "schema", "assigned_to", "timeout_s"];

/// A `.wasm` file must at least be WebAssembly; the runtime validates the rest when it
/// compiles the component.
fn check_wasm_magic(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let read =
        std::fs::File::open(path).and_then(|mut f| f.read(&mut magic)).map_err(|e| format!("cannot read: {e}"))?;
    if read < 4 || &magic != b"\0asm" {
        return Err("not a WebAssembly binary (missing the \\0asm header)".into());
    }
    Ok(())
}

/// Datastore key names: letters, digits, `_`, `-`, `.`.
pub(crate) fn check_key_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok { Ok(()) } else { Err(format!("'{name}' is not a valid key name")) }
}

/// `host`, `host:port` or `*.domain`: no scheme, path or spaces.
fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.trim_start_matches("*.").bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(format!("'{host}' is not a host name (write e.g. api.example.com or api.example.com:8443)"))
    }
}
