//! The engine's access to the platform for one step of one run: children requested through
//! the same path as every execution (schema checked, secrets sealed), items and outcomes
//! from the store, and the datastore as the workflow's own pack sees it.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use attune_domain::action::Action;
use attune_domain::execution::{Execution, NewExecution};
use attune_domain::status::KeyOwnerType;
use attune_domain::{Id, Timestamp};
use attune_store::StoreError;
use attune_templates::{KvLookup, KvValue};
use attune_workflow::host::ItemOutcome;
use attune_workflow::{Host, HostError, Launch, WaitingItem};
use serde_json::Value;

use crate::executions::{ExecutionRequest, prepare};
use crate::{Platform, ServiceError};

/// One step's host.
pub(super) struct StepHost<'a> {
    pub platform: &'a Platform,
    /// The workflow's execution.
    pub workflow: &'a Execution,
    /// Its run's id.
    pub run: Id,
    /// Its parameters, in clear.
    pub input: &'a Value,
    /// The values of its sealed parameters.
    pub secrets: &'a [String],
    pub kv: PackKeys<'a>,
    /// Actions already read this step, by ref.
    pub actions: Mutex<HashMap<String, Action>>,
}

fn host_error(error: StoreError) -> HostError {
    HostError(error.to_string())
}

impl StepHost<'_> {
    async fn action(&self, reference: &str) -> Result<Action, String> {
        if let Some(action) = self.actions.lock().expect("actions lock").get(reference) {
            return Ok(action.clone());
        }
        let action = match self.platform.store.get_action(reference).await {
            Ok(action) => action,
            Err(StoreError::NotFound { .. }) => return Err(format!("action '{reference}' does not exist")),
            Err(other) => return Err(other.to_string()),
        };
        self.actions.lock().expect("actions lock").insert(reference.to_owned(), action.clone());
        Ok(action)
    }
}

#[async_trait]
impl Host for StepHost<'_> {
    async fn child(&self, launch: Launch<'_>) -> Result<NewExecution, String> {
        let mut action = self.action(launch.action).await?;
        if let Some(timeout) = launch.timeout_s {
            let timeout = timeout as i64;
            action.timeout_s = Some(action.timeout_s.map_or(timeout, |own| own.min(timeout)));
        }
        let request = ExecutionRequest {
            action_ref: action.r#ref.clone(),
            parameters: launch.parameters,
            executor: self.workflow.executor,
            parent: Some(self.workflow.id),
            seal_also: launch.seal_also,
            ..ExecutionRequest::default()
        };
        prepare(self.platform, &action, request).map_err(|error| match error {
            ServiceError::Validation { message, .. } => message,
            other => other.to_string(),
        })
    }

    async fn retry(&self, failed: Id, attempt: i32, run_after: Option<Timestamp>) -> Result<NewExecution, HostError> {
        let failed = self.platform.store.get_execution(failed).await.map_err(host_error)?;
        Ok(NewExecution {
            action_ref: failed.action_ref,
            config: failed.config,
            parent: failed.parent,
            enforcement: None,
            executor: failed.executor,
            rule_ref: None,
            trigger_ref: None,
            parameters: failed.parameters,
            sealed_parameters: failed.sealed_parameters,
            attempt,
            run_after,
            retry_of: None,
            trace_parent: failed.trace_parent,
        })
    }

    async fn waiting_items(
        &self,
        task: &str,
        round: i32,
        from: u32,
        limit: u32,
    ) -> Result<Vec<WaitingItem>, HostError> {
        let from = i32::try_from(from).unwrap_or(i32::MAX);
        let rows =
            self.platform.store.list_waiting_items(self.run, task, round, from, limit).await.map_err(host_error)?;
        Ok(rows
            .into_iter()
            .map(|row| WaitingItem {
                run: row.id,
                index: row.task_index.unwrap_or(0),
                item: row.item.unwrap_or_default(),
            })
            .collect())
    }

    async fn item_outcomes(&self, task: &str, round: i32) -> Result<Vec<ItemOutcome>, HostError> {
        let outcomes = self.platform.store.list_item_outcomes(self.run, task, round).await.map_err(host_error)?;
        Ok(outcomes.into_iter().map(|o| (o.index, o.status, o.result)).collect())
    }

    fn kv(&self) -> &dyn KvLookup {
        &self.kv
    }

    fn input(&self) -> &Value {
        self.input
    }

    fn secrets(&self) -> &[String] {
        self.secrets
    }

    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// `kv("name")` in a workflow's templates: its own pack's key of that name, nothing else —
/// as for a rule from pack files. The workflow's author wrote the templates; who runs it
/// only gives the input, which templates see as data. A value from an encrypted key is
/// decrypted and reported secret (whatever holds it is sealed).
pub(super) struct PackKeys<'a> {
    pub platform: &'a Platform,
    pub pack_ref: String,
}

#[async_trait]
impl KvLookup for PackKeys<'_> {
    async fn get(&self, name: &str) -> Result<Option<KvValue>, String> {
        match self.platform.store.get_key(KeyOwnerType::Pack, &self.pack_ref, name).await {
            Ok(key) if key.encrypted => {
                self.platform.cipher.decrypt(&key.value).map(|v| Some(KvValue::secret(v))).map_err(|e| e.to_string())
            }
            Ok(key) => Ok(Some(KvValue::plain(key.value))),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.to_string()),
        }
    }
}
