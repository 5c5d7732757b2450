//! The data tests build from: a sample pack bundle with one or more of every component kind,
//! and one constructor per entity a test creates. Tests change the returned values rather
//! than writing their own.

use attune_domain::action::NewAction;
use attune_domain::artifact::NewArtifact;
use attune_domain::event::{NewEnforcement, NewEvent};
use attune_domain::execution::NewExecution;
use attune_domain::identity::{Grant, NewIdentity, NewPermissionSet};
use attune_domain::inquiry::{Assignees, NewInquiry};
use attune_domain::key::{KeyOwner, NewKey};
use attune_domain::notification::NewNotification;
use attune_domain::pack::{NewPack, PackBundle};
use attune_domain::page::PageRequest;
use attune_domain::policy::NewPolicy;
use attune_domain::rule::NewRule;
use attune_domain::runtime::NewRuntime;
use attune_domain::status::{
    ArtifactType, EnforcementCondition, EnforcementStatus, ExecutionStatus, KeyOwnerType, OutputFormat, PolicyMethod,
    PolicyType, RetentionPolicyType, RunnerType, WorkerType,
};
use attune_domain::trigger::{NewSensor, NewTrigger};
use attune_domain::worker::NewWorker;
use attune_domain::workflow::{NewTaskRun, NewWorkflowDefinition, WorkflowExecution, WorkflowStep};
use attune_domain::{Id, Timestamp};
use chrono::SubsecRound;
use serde_json::json;

/// Components in [`sample_bundle`]: 2 triggers, 1 workflow, 3 actions (one runs the
/// workflow), 1 sensor, 2 rules, 1 policy, 1 permission set.
pub const SAMPLE_COMPONENTS: u32 = 11;

/// A pack `pack_ref` with every component kind:
/// - triggers `<p>.alert`, `<p>.tick`; sensor `<p>.watcher` (emits `<p>.alert`);
/// - actions `<p>.notify` (shell), `<p>.fetch` (wasm), `<p>.deploy` (the workflow `<p>.deploy`);
/// - rules `<p>.on_alert` (alert → notify, enabled), `<p>.on_tick` (tick → fetch, disabled);
/// - policy `<p>.one_notify` (concurrency on notify); permission set `<p>.operators`.
pub fn sample_bundle(pack_ref: &str) -> PackBundle {
    let r = |name: &str| format!("{pack_ref}.{name}");
    let mut on_tick = rule(&r("on_tick"), &r("tick"), &r("fetch"));
    on_tick.enabled = false;
    PackBundle {
        pack: Some(new_pack(pack_ref)),
        triggers: vec![trigger(&r("alert")), trigger(&r("tick"))],
        actions: vec![
            action(&r("notify"), RunnerType::Shell),
            action(&r("fetch"), RunnerType::Wasm),
            action(&r("deploy"), RunnerType::Workflow),
        ],
        sensors: vec![sensor(&r("watcher"), &[&r("alert")])],
        rules: vec![rule(&r("on_alert"), &r("alert"), &r("notify")), on_tick],
        workflows: vec![workflow(&r("deploy"), &r("notify"))],
        policies: vec![policy(&r("one_notify"), &r("notify"))],
        permission_sets: vec![permission_set(&r("operators"))],
        archive: None,
    }
}

/// A bundle holding only the pack row.
pub fn empty_bundle(pack_ref: &str) -> PackBundle {
    PackBundle { pack: Some(new_pack(pack_ref)), ..PackBundle::default() }
}

/// A pack row with every field set.
pub fn new_pack(pack_ref: &str) -> NewPack {
    NewPack {
        r#ref: pack_ref.to_owned(),
        label: format!("The {pack_ref} pack"),
        description: Some("Components for the store's conformance suite".into()),
        version: "1.0.0".into(),
        author: Some("Attune".into()),
        config_schema: json!({"channel": {"type": "string", "default": "ops"}}),
        config: json!({"channel": "ops"}),
        runtime_deps: vec!["python".into()],
        tags: vec!["test".into()],
        is_standard: false,
        path: Some(format!("/packs/{pack_ref}")),
    }
}

/// An enabled trigger.
pub fn trigger(trigger_ref: &str) -> NewTrigger {
    NewTrigger {
        r#ref: trigger_ref.to_owned(),
        label: format!("Trigger {trigger_ref}"),
        description: None,
        enabled: true,
        param_schema: json!({"level": {"type": "string"}}),
        payload_schema: json!({"type": "object"}),
    }
}

/// An action run by `runner`; a workflow action has no entry point.
pub fn action(action_ref: &str, runner: RunnerType) -> NewAction {
    let workflow = runner == RunnerType::Workflow;
    NewAction {
        r#ref: action_ref.to_owned(),
        label: format!("Action {action_ref}"),
        description: Some("Does one thing".into()),
        runner_type: runner,
        entry_point: (!workflow).then(|| "main.sh".to_owned()),
        param_schema: json!({
            "text": {"type": "string", "required": true},
            "token": {"type": "string", "secret": true},
        }),
        output_schema: Some(json!({"type": "object"})),
        output_format: OutputFormat::Json,
        timeout_s: Some(30),
        limits: json!({"fuel": 1000, "memory_mb": 16}),
        secrets: vec!["slack_token".into()],
        allowed_hosts: vec!["api.example.com".into()],
        idempotent: false,
    }
}

/// An enabled sensor emitting `trigger_types`.
pub fn sensor(sensor_ref: &str, trigger_types: &[&str]) -> NewSensor {
    NewSensor {
        r#ref: sensor_ref.to_owned(),
        label: format!("Sensor {sensor_ref}"),
        description: None,
        runner_type: RunnerType::Wasm,
        entry_point: Some("watch.wasm".into()),
        trigger_types: trigger_types.iter().map(|t| (*t).to_owned()).collect(),
        param_schema: json!({"interval": {"type": "integer"}}),
        config: json!({"interval": 5}),
        poll_interval_s: Some(5),
        enabled: true,
    }
}

/// An enabled rule running `action_ref` when `trigger_ref` fires.
pub fn rule(rule_ref: &str, trigger_ref: &str, action_ref: &str) -> NewRule {
    NewRule {
        r#ref: rule_ref.to_owned(),
        label: format!("Rule {rule_ref}"),
        description: None,
        trigger_ref: trigger_ref.to_owned(),
        trigger_params: json!({}),
        criteria: json!({"trigger.level": {"type": "equals", "pattern": "error"}}),
        action_ref: action_ref.to_owned(),
        action_params: json!({"text": "{{ event.payload.message }}"}),
        enabled: true,
        author: None,
    }
}

/// A one-task workflow graph running `task_action`.
pub fn workflow(workflow_ref: &str, task_action: &str) -> NewWorkflowDefinition {
    NewWorkflowDefinition {
        r#ref: workflow_ref.to_owned(),
        label: format!("Workflow {workflow_ref}"),
        description: None,
        version: "1.0.0".into(),
        param_schema: json!({"service": {"type": "string", "required": true}}),
        output_schema: None,
        definition: json!({"tasks": {"first": {"action": task_action}}}),
        tags: vec!["deploy".into()],
        enabled: true,
    }
}

/// A concurrency policy of one on `action_ref`.
pub fn policy(policy_ref: &str, action_ref: &str) -> NewPolicy {
    NewPolicy {
        r#ref: policy_ref.to_owned(),
        action_ref: action_ref.to_owned(),
        policy_type: PolicyType::Concurrency,
        method: Some(PolicyMethod::Enqueue),
        threshold: 1,
        parameters: vec!["host".into()],
        settings: json!({}),
        enabled: true,
    }
}

/// A permission set allowing to view and run actions.
pub fn permission_set(set_ref: &str) -> NewPermissionSet {
    NewPermissionSet {
        r#ref: set_ref.to_owned(),
        label: format!("Role {set_ref}"),
        description: Some("Runs actions".into()),
        grants: vec![grant("action:view,execute")],
    }
}

/// A grant in its compact form (`resource[@pack]:verb,verb`).
pub fn grant(compact: &str) -> Grant {
    compact.parse().expect("a valid grant")
}

/// An identity with a password.
pub fn new_identity(login: &str) -> NewIdentity {
    NewIdentity {
        login: login.to_owned(),
        display_name: Some(format!("User {login}")),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        attributes: json!({"email": format!("{login}@example.com")}),
    }
}

/// A first attempt of `action_ref`, started by nobody in particular.
pub fn new_execution(action_ref: &str) -> NewExecution {
    NewExecution {
        action_ref: action_ref.to_owned(),
        config: json!({"runner_type": "shell"}),
        parent: None,
        enforcement: None,
        executor: None,
        rule_ref: None,
        trigger_ref: None,
        parameters: json!({"text": "hello"}),
        sealed_parameters: Vec::new(),
        attempt: 1,
        run_after: None,
        retry_of: None,
        trace_parent: None,
    }
}

/// An event of `trigger_ref`, optionally from sensor `source_ref`.
pub fn new_event(trigger_ref: &str, source_ref: Option<&str>) -> NewEvent {
    NewEvent {
        trigger_ref: trigger_ref.to_owned(),
        config: json!({"level": "error"}),
        payload: json!({"message": "disk full"}),
        source_ref: source_ref.map(str::to_owned),
    }
}

/// A new enforcement of `rule_ref` for `event`.
pub fn new_enforcement(rule_ref: &str, trigger_ref: &str, event: Option<Id>) -> NewEnforcement {
    NewEnforcement {
        rule_ref: rule_ref.to_owned(),
        trigger_ref: trigger_ref.to_owned(),
        event,
        config: json!({"action": "notify"}),
        status: EnforcementStatus::Created,
        payload: json!({"message": "disk full"}),
        condition: EnforcementCondition::All,
        criteria: json!({"trigger.level": {"type": "equals", "pattern": "error"}}),
        reason: None,
    }
}

/// A yes/no question asked by `execution`.
pub fn new_inquiry(execution: Option<Id>) -> NewInquiry {
    NewInquiry {
        execution,
        pack_ref: Some("sample".into()),
        prompt: "Ship it?".into(),
        response_schema: json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        assignees: Assignees::default(),
        timeout_at: Some(now() + chrono::Duration::hours(1)),
    }
}

/// A plain-text key that never expires.
pub fn new_key(owner: KeyOwner, name: &str, value: &str) -> NewKey {
    NewKey {
        owner,
        name: name.to_owned(),
        value: value.to_owned(),
        encrypted: false,
        encryption_key_hash: None,
        expires_at: None,
    }
}

/// A local worker running shell and wasm actions.
pub fn new_worker(name: &str) -> NewWorker {
    NewWorker {
        name: name.to_owned(),
        worker_type: WorkerType::Local,
        runner_types: vec!["shell".into(), "wasm".into()],
        host: Some("localhost".into()),
        port: None,
        capabilities: json!({"max_concurrent": 4}),
    }
}

/// A runtime running `name` actions.
pub fn new_runtime(runtime_ref: &str, name: &str) -> NewRuntime {
    NewRuntime {
        r#ref: runtime_ref.to_owned(),
        name: name.to_owned(),
        description: Some(format!("Runs {name} actions")),
        execution_config: json!({"command": name}),
    }
}

/// A status change of execution `entity` on the `execution` channel.
pub fn new_notification(entity: &str) -> NewNotification {
    NewNotification {
        channel: "execution".into(),
        entity_type: "execution".into(),
        entity: entity.to_owned(),
        activity: "status_changed".into(),
        content: json!({"status": "running"}),
    }
}

/// A text file produced by `execution`.
pub fn new_artifact(artifact_ref: &str, execution: Option<Id>) -> NewArtifact {
    NewArtifact {
        r#ref: artifact_ref.to_owned(),
        scope: KeyOwnerType::Action,
        owner: "sample.notify".into(),
        artifact_type: ArtifactType::FileText,
        retention_policy: RetentionPolicyType::Versions,
        retention_limit: 3,
        execution,
        data: json!({"path": "/tmp/report.txt"}),
        content: None,
        file: None,
    }
}

/// A step of `run` (of `execution`, at `revision`) that records `new_runs` and changes
/// nothing else.
pub fn step_of(run: &WorkflowExecution, new_runs: Vec<NewTaskRun>) -> WorkflowStep {
    WorkflowStep {
        workflow: run.id,
        execution: run.execution,
        revision: run.revision,
        state: json!({"begun": true}),
        variables: json!({"greeting": "hi"}),
        status: ExecutionStatus::Running,
        error_message: None,
        paused: false,
        pause_reason: None,
        current_tasks: vec!["first".into()],
        completed_tasks: Vec::new(),
        failed_tasks: Vec::new(),
        new_runs,
        changed_runs: Vec::new(),
    }
}

/// A run of task `task`: `requested` (an item waiting) or `running` with a child of
/// `sample.notify` under `parent`.
pub fn task_run(task: &str, index: Option<i32>, parent: Option<Id>) -> NewTaskRun {
    let child = parent.map(|parent| {
        let mut child = new_execution("sample.notify");
        child.parent = Some(parent);
        child
    });
    NewTaskRun {
        task_name: task.to_owned(),
        round: 1,
        task_index: index,
        item: index.map(|i| json!({"host": i})),
        status: if child.is_some() { ExecutionStatus::Running } else { ExecutionStatus::Requested },
        child,
        result: None,
        max_retries: 1,
        timeout_seconds: Some(60),
    }
}

/// Page `page` of `page_size` rows.
pub fn page(page: u32, page_size: u32) -> PageRequest {
    PageRequest::new(page, page_size)
}

/// One page large enough for everything a test creates.
pub fn all() -> PageRequest {
    PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)
}

/// The current time at the precision both backends keep (microseconds).
pub fn now() -> Timestamp {
    chrono::Utc::now().trunc_subsecs(6)
}
