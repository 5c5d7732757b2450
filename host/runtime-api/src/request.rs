//! What a runtime is asked to run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::kv::KvStore;
use crate::limits::{Limits, RequestedLimits};
use crate::output::OutputSink;

/// How a native action's stdout is turned into its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// stdout must be one JSON document.
    #[default]
    Json,
    /// stdout must be one YAML document.
    Yaml,
    /// stdout is kept as text: the result is `{"stdout": "..."}`.
    Text,
}

/// Facts about the execution that the action may read; passed to WASM guests as the WIT
/// `context` record and to native actions inside the stdin document and `ATTUNE_*` variables.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExecutionContext {
    /// The execution's id.
    pub execution_id: i64,
    /// The action's ref (`pack.name`).
    pub action_ref: String,
    /// The ref of the pack the action belongs to.
    pub pack_ref: String,
    /// 1 for the first attempt, incremented on each retry.
    pub attempt: u32,
    /// The rule that caused the execution, when rule-driven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_ref: Option<String>,
    /// The trigger whose event caused the execution, when rule-driven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_ref: Option<String>,
    /// Base URL of the Attune API, for native actions that call back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Execution-scoped API token (expires when the execution ends). Never logged.
    #[serde(skip_serializing)]
    pub api_token: Option<String>,
    /// The W3C trace context of the span running the action (`00-<trace id>-<span id>-<flags>`),
    /// which native actions receive as `TRACEPARENT` to continue the trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_parent: Option<String>,
}

/// One execution as the runtime sees it. Built by the worker from the stored execution, the
/// action definition, the granted secrets (already decrypted) and the pack config.
#[derive(Clone)]
pub struct ExecutionRequest {
    /// Identity and provenance of the execution.
    pub context: ExecutionContext,
    /// Root directory of the pack on disk (native runtimes use it as working directory and to
    /// find the pack's environment).
    pub pack_dir: PathBuf,
    /// Absolute path of the action's entry point (`.wasm`, `.wat`, `.py`, `.sh`, `.js`).
    pub entry_point: PathBuf,
    /// Validated parameters, defaults applied (a JSON object).
    pub parameters: serde_json::Value,
    /// The secrets the action is granted, by name, in clear. Only names listed in the
    /// action's `secrets` are present.
    pub secrets: BTreeMap<String, String>,
    /// The pack's configuration values (a JSON object).
    pub pack_config: serde_json::Value,
    /// Native runtimes: how to parse stdout.
    pub output_format: OutputFormat,
    /// WASM runtime: hosts the guest may reach through `wasi:http`. Empty means no network.
    pub allowed_hosts: Vec<String>,
    /// Effective limits, already resolved against the server's caps.
    pub limits: Limits,
    /// What the action asked for, for the limits a runtime resolves against its own
    /// policy (native processes, open files, CPU time, temporary space, memory).
    pub requested_limits: RequestedLimits,
    /// The pack-scoped datastore.
    pub kv: Arc<dyn KvStore>,
}

impl std::fmt::Debug for ExecutionRequest {
    // Hand-written so that secrets and the API token can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionRequest")
            .field("context", &self.context)
            .field("entry_point", &self.entry_point)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The channels an execution talks through while it runs.
#[derive(Clone)]
pub struct ExecutionIo {
    /// Receives output lines as they are produced.
    pub output: Arc<dyn OutputSink>,
    /// Cancelled when the user cancels the execution; the runtime stops the action and
    /// returns an outcome with [`crate::FailureKind::Cancelled`].
    pub cancel: CancellationToken,
}

impl ExecutionIo {
    /// Io that drops output and is never cancelled.
    pub fn detached() -> Self {
        Self { output: Arc::new(crate::output::NullSink), cancel: CancellationToken::new() }
    }
}
