//! One step of a workflow run.
//!
//! In order: the first step starts the start tasks; each finished run is taken in (retried
//! when its task allows, else counted); then, until nothing moves, tasks whose runs are all
//! in end (their transitions evaluated in order — every matching one publishes and fires),
//! `with` tasks launch their next items, and ready tasks start — unless the run is paused
//! or failing; last, a run with nothing in flight and nothing to start ends, completed with
//! its rendered `output` or failed naming the task whose failure nothing handled.

use std::collections::{BTreeSet, HashMap};

use attune_domain::execution::NewExecution;
use attune_domain::failure::{Failure, FailureKind};
use attune_domain::graph::{Backoff, Join, Task, TaskRetry, WorkflowGraph};
use attune_domain::status::ExecutionStatus;
use attune_domain::workflow::{NewTaskRun, TaskRunChange};
use attune_domain::{Id, Timestamp};
use serde_json::{Map, Value, json};

use crate::host::{Host, HostError, ItemOutcome, Launch};
use crate::scope::{TaskContext, render, truthy};
use crate::state::{Items, RunEnd, RunState, TaskFailure, TaskStatus};

/// Items of a `with` task in flight at once when its `concurrency` is not given.
pub const DEFAULT_CONCURRENCY: u32 = 100;
/// The most items of a `with` task in flight at once.
pub const MAX_CONCURRENCY: u32 = 1_000;
/// The most items one `with` task may iterate.
pub const MAX_ITEMS: usize = 100_000;
/// The action an `inquiry` task runs.
pub const ASK_ACTION: &str = "core.ask";

/// A task run whose child ended since the last step.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// The run.
    pub run: Id,
    /// Its task.
    pub task: String,
    /// The task's round it belongs to.
    pub round: i32,
    /// Its item's index.
    pub index: Option<i32>,
    /// The child that ended.
    pub child: Id,
    /// How the child ended.
    pub status: ExecutionStatus,
    /// The child's result.
    pub result: Option<Value>,
    /// Retries done so far.
    pub retry_count: i32,
    /// Retries allowed.
    pub max_retries: i32,
}

/// How a run ends.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// With its rendered output.
    Completed(Value),
    /// Because of `task` (none: its output could not be rendered).
    Failed {
        /// The task whose failure nothing handled.
        task: Option<String>,
        /// What went wrong.
        message: String,
    },
}

/// Everything one step decided, to be written at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The run's new state.
    pub state: RunState,
    /// Its variables.
    pub vars: Map<String, Value>,
    /// Task runs to record (each with its child, when it has one).
    pub new_runs: Vec<NewTaskRun>,
    /// Recorded runs that changed.
    pub changed_runs: Vec<TaskRunChange>,
    /// How the run ends, when it does.
    pub end: Option<End>,
    /// Tasks whose status changed, with the status they have now.
    pub changed_tasks: Vec<(String, TaskStatus)>,
}

impl Step {
    /// Whether the step changes nothing worth writing.
    pub fn is_idle(&self, before: &RunState) -> bool {
        self.new_runs.is_empty() && self.changed_runs.is_empty() && self.end.is_none() && self.state == *before
    }
}

/// What a task run needs to start: the child to create, or why it cannot.
pub enum TaskRunPlan {
    /// Create this child.
    Child(Box<NewExecution>),
    /// It failed before starting, with this error document.
    Failed(Value),
}

/// Computes one step of a run of `graph` from its `state` and `vars`, taking in the runs
/// that `finished`.
pub async fn step(
    graph: &WorkflowGraph,
    state: RunState,
    vars: Map<String, Value>,
    paused: bool,
    finished: Vec<Finished>,
    host: &dyn Host,
) -> Result<Step, HostError> {
    let mut stepper = Stepper {
        graph,
        host,
        paused,
        now: host.now(),
        overlay: HashMap::new(),
        step: Step {
            state,
            vars,
            new_runs: Vec::new(),
            changed_runs: Vec::new(),
            end: None,
            changed_tasks: Vec::new(),
        },
    };
    stepper.run(finished).await?;
    Ok(stepper.step)
}

struct Stepper<'a> {
    graph: &'a WorkflowGraph,
    host: &'a dyn Host,
    paused: bool,
    now: Timestamp,
    /// Items that ended in this step, by task and round: `(index, status, result)`.
    overlay: HashMap<(String, i32), Vec<ItemOutcome>>,
    step: Step,
}

impl Stepper<'_> {
    async fn run(&mut self, finished: Vec<Finished>) -> Result<(), HostError> {
        if !self.step.state.begun {
            self.step.state.begun = true;
            let starts = match self.step.state.start_at.is_empty() {
                true => self.graph.start_tasks().into_iter().map(str::to_owned).collect(),
                false => std::mem::take(&mut self.step.state.start_at),
            };
            for name in starts {
                self.set_status(&name, TaskStatus::Ready);
            }
        }
        for run in finished {
            self.take_in(run).await?;
        }
        loop {
            let mut moved = false;
            for name in self.step.state.tasks_in(TaskStatus::Running) {
                if self.all_in(&name) {
                    self.end_task(&name).await?;
                    moved = true;
                }
            }
            if self.may_start() {
                for name in self.step.state.tasks_in(TaskStatus::Running) {
                    self.launch_waiting_items(&name).await?;
                }
                for name in self.step.state.tasks_in(TaskStatus::Ready) {
                    self.start_task(&name).await?;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        self.decide_end().await;
        Ok(())
    }

    fn may_start(&self) -> bool {
        !self.paused && self.step.state.failure.is_none()
    }

    fn task(&self, name: &str) -> &Task {
        // Every name in the state came from the graph it runs.
        &self.graph.tasks[name]
    }

    fn set_status(&mut self, name: &str, status: TaskStatus) {
        self.step.state.tasks.entry(name.to_owned()).or_default().status = status;
        self.step.changed_tasks.push((name.to_owned(), status));
    }

    /// Takes in one run whose child ended: retried, or counted towards its task's end.
    async fn take_in(&mut self, run: Finished) -> Result<(), HostError> {
        let succeeded = run.status == ExecutionStatus::Completed;
        let retryable = !succeeded && run.status != ExecutionStatus::Cancelled;
        let current = self.step.state.tasks.get(&run.task).is_some_and(|t| t.round == run.round);
        if retryable && current && run.retry_count < run.max_retries {
            let delay = self.task(&run.task).retry.as_ref().map_or(0.0, |retry| retry_delay(retry, run.retry_count));
            let run_after = (delay > 0.0).then(|| self.now + chrono::TimeDelta::milliseconds((delay * 1000.0) as i64));
            let child = self.host.retry(run.child, run.retry_count + 2, run_after).await?;
            self.step.changed_runs.push(TaskRunChange {
                id: run.run,
                follows: None,
                status: ExecutionStatus::Running,
                child: Some(child),
                result: None,
                retry_count: run.retry_count + 1,
                next_retry_at: run_after,
                timed_out: false,
            });
            return Ok(());
        }
        self.step.changed_runs.push(TaskRunChange {
            id: run.run,
            follows: None,
            status: run.status,
            child: None,
            result: run.result.clone(),
            retry_count: run.retry_count,
            next_retry_at: None,
            timed_out: run.status == ExecutionStatus::Timeout,
        });
        if !current {
            return Ok(()); // a run of a round that already ended (it cannot be: kept safe)
        }
        let state = self.step.state.tasks.get_mut(&run.task).expect("checked above");
        state.in_flight = state.in_flight.saturating_sub(1);
        match (&mut state.items, run.index) {
            (Some(items), Some(index)) => {
                items.done += 1;
                items.failed += u32::from(!succeeded);
                self.overlay.entry((run.task.clone(), run.round)).or_default().push((index, run.status, run.result));
            }
            _ => state.ended = Some(RunEnd { succeeded, result: run.result.unwrap_or(Value::Null) }),
        }
        Ok(())
    }

    /// Whether every run of a running task is in.
    fn all_in(&self, name: &str) -> bool {
        let Some(state) = self.step.state.tasks.get(name) else { return false };
        if state.in_flight > 0 {
            return false;
        }
        match &state.items {
            Some(items) => items.launched == items.total || items.failed > 0 || self.step.state.failure.is_some(),
            None => state.ended.is_some(),
        }
    }

    /// A task's round ended: its transitions, in order.
    async fn end_task(&mut self, name: &str) -> Result<(), HostError> {
        let state = self.step.state.tasks.get_mut(name).expect("a running task has a state");
        let round = state.round;
        let (succeeded, result) = match state.items {
            Some(items) => (items.failed == 0 && items.launched == items.total, None),
            None => match state.ended.take() {
                Some(end) => (end.succeeded, Some(end.result)),
                None => (false, Some(Value::Null)),
            },
        };
        let result = match result {
            Some(result) => result,
            None => self.item_results(name, round).await?,
        };
        let state = self.step.state.tasks.get_mut(name).expect("a running task has a state");
        state.finished = Some(self.now);
        self.set_status(name, if succeeded { TaskStatus::Succeeded } else { TaskStatus::Failed });

        let context = TaskContext { item: None, ended: Some((succeeded, result.clone())) };
        let mut handled = false;
        for (i, transition) in self.task(name).next.clone().into_iter().enumerate() {
            let at = format!("tasks.{name}.next[{i}]");
            if let Some(when) = &transition.when {
                match render(self.host, &self.step.vars, &context, &Value::String(when.clone()), &format!("{at}.when"))
                    .await
                {
                    Ok(holds) if truthy(&holds.value) => {}
                    Ok(_) => continue,
                    Err(error) => {
                        self.fail(name, error.to_string());
                        return Ok(());
                    }
                }
            }
            handled = true;
            for (var, template) in &transition.publish {
                match render(self.host, &self.step.vars, &context, template, &format!("{at}.publish.{var}")).await {
                    Ok(rendered) => {
                        let wrapped = json!({ var.as_str(): rendered.value });
                        let sealed = &mut self.step.state.sealed_vars;
                        match attune_templates::holding(&wrapped, &rendered.secrets).is_empty() {
                            true => sealed.retain(|name| name != var),
                            false if !sealed.contains(var) => sealed.push(var.clone()),
                            false => {}
                        }
                        self.step.vars.insert(var.clone(), rendered.value);
                    }
                    Err(error) => {
                        self.fail(name, error.to_string());
                        return Ok(());
                    }
                }
            }
            for target in &transition.targets {
                self.arrive(target);
            }
        }
        if !succeeded && !handled {
            let message = result["error"]["message"].as_str().map(str::to_owned).unwrap_or_else(|| "it failed".into());
            self.fail(name, message);
        }
        let state = self.step.state.tasks.get_mut(name).expect("a running task has a state");
        if state.again > 0 {
            state.again -= 1;
            self.set_status(name, TaskStatus::Ready);
        }
        Ok(())
    }

    /// The first unhandled failure stops the run from starting anything more.
    fn fail(&mut self, task: &str, message: String) {
        if self.step.state.failure.is_none() {
            self.step.state.failure = Some(TaskFailure { task: task.to_owned(), message });
        }
    }

    /// A transition reaches `target`: it becomes ready (a join once enough have arrived).
    fn arrive(&mut self, target: &str) {
        let join = self.task(target).join;
        let inbound = self.inbound(target);
        let state = self.step.state.tasks.entry(target.to_owned()).or_default();
        if let Some(join) = join {
            state.arrivals += 1;
            let needed = match join {
                Join::All => inbound,
                Join::Count(n) => n,
            };
            // A join fires once: arrivals past what it waits for change nothing.
            if state.arrivals != needed {
                return;
            }
        }
        match state.status {
            TaskStatus::Running | TaskStatus::Ready => state.again += 1,
            _ => self.set_status(target, TaskStatus::Ready),
        }
    }

    /// How many tasks have a transition to `target`.
    fn inbound(&self, target: &str) -> u32 {
        self.graph.tasks.values().filter(|task| task.next.iter().any(|t| t.targets.iter().any(|t| t == target))).count()
            as u32
    }

    /// A ready task starts its next round: one run, or its items' first window.
    async fn start_task(&mut self, name: &str) -> Result<(), HostError> {
        let state = self.step.state.tasks.entry(name.to_owned()).or_default();
        state.round += 1;
        state.started = Some(self.now);
        state.finished = None;
        state.ended = None;
        state.in_flight = 0;
        state.items = None;
        let round = state.round;
        self.set_status(name, TaskStatus::Running);
        let task = self.task(name).clone();
        let Some(with) = &task.with else {
            let plan = self.plan_run(name, &task, None).await;
            let run = self.new_run(name, &task, round, None, None, plan);
            self.step.new_runs.push(run);
            return Ok(());
        };
        let context = TaskContext::default();
        let at = format!("tasks.{name}.with");
        let items = match render(self.host, &self.step.vars, &context, &with.items, &format!("{at}.items")).await {
            Ok(rendered) => match rendered.value {
                Value::Array(items) if items.len() <= MAX_ITEMS => Ok(items),
                Value::Array(items) => Err(format!("{at}.items: {} items is more than {MAX_ITEMS}", items.len())),
                other => Err(format!("{at}.items must be a list, not {other}")),
            },
            Err(error) => Err(error.to_string()),
        };
        let concurrency = match &with.concurrency {
            None => Ok(DEFAULT_CONCURRENCY),
            Some(value) => {
                match render(self.host, &self.step.vars, &context, value, &format!("{at}.concurrency")).await {
                    Ok(rendered) => match rendered.value.as_u64() {
                        Some(n) if n >= 1 => Ok(n.min(u64::from(MAX_CONCURRENCY)) as u32),
                        _ => Err(format!("{at}.concurrency must be a positive number, not {}", rendered.value)),
                    },
                    Err(error) => Err(error.to_string()),
                }
            }
        };
        let (items, concurrency) = match (items, concurrency) {
            (Ok(items), Ok(concurrency)) => (items, concurrency),
            (Err(message), _) | (_, Err(message)) => {
                let document = Failure::new(FailureKind::SetupFailed, message).result_document();
                let state = self.step.state.tasks.get_mut(name).expect("started above");
                state.ended = Some(RunEnd { succeeded: false, result: document });
                return Ok(());
            }
        };
        let total = items.len() as u32;
        let window = concurrency.min(total);
        self.step.state.tasks.get_mut(name).expect("started above").items =
            Some(Items { total, launched: window, done: 0, failed: 0, concurrency });
        for (index, item) in items.into_iter().enumerate() {
            let index = index as i32;
            let plan = match (index as u32) < window {
                true => Some(self.plan_run(name, &task, Some(item.clone())).await),
                false => None,
            };
            let run = match plan {
                Some(plan) => self.new_run(name, &task, round, Some(index), Some(item), plan),
                None => NewTaskRun {
                    task_name: name.to_owned(),
                    round,
                    task_index: Some(index),
                    item: Some(item),
                    status: ExecutionStatus::Requested,
                    child: None,
                    result: None,
                    max_retries: max_retries(&task),
                    timeout_seconds: task.timeout.map(|t| t as i32),
                },
            };
            self.step.new_runs.push(run);
        }
        Ok(())
    }

    /// A `with` task's next items, up to its concurrency.
    async fn launch_waiting_items(&mut self, name: &str) -> Result<(), HostError> {
        let state = &self.step.state.tasks[name];
        let Some(items) = state.items else { return Ok(()) };
        let room = items.concurrency.saturating_sub(state.in_flight).min(items.total - items.launched);
        if room == 0 || items.failed > 0 {
            return Ok(());
        }
        let round = state.round;
        let waiting = self.host.waiting_items(name, round, items.launched, room).await?;
        let task = self.task(name).clone();
        for item in waiting {
            let change = match self.plan_run(name, &task, Some(item.item)).await {
                TaskRunPlan::Child(child) => TaskRunChange {
                    id: item.run,
                    follows: None,
                    status: ExecutionStatus::Running,
                    child: Some(*child),
                    result: None,
                    retry_count: 0,
                    next_retry_at: None,
                    timed_out: false,
                },
                TaskRunPlan::Failed(document) => {
                    let overlay = self.overlay.entry((name.to_owned(), round)).or_default();
                    overlay.push((item.index, ExecutionStatus::Failed, Some(document.clone())));
                    TaskRunChange {
                        id: item.run,
                        follows: None,
                        status: ExecutionStatus::Failed,
                        child: None,
                        result: Some(document),
                        retry_count: 0,
                        next_retry_at: None,
                        timed_out: false,
                    }
                }
            };
            self.account(name, &change.status);
            self.step.changed_runs.push(change);
        }
        Ok(())
    }

    /// Counts a launched item: in flight, or failed at once.
    fn account(&mut self, name: &str, status: &ExecutionStatus) {
        let state = self.step.state.tasks.get_mut(name).expect("a running task has a state");
        if let Some(items) = &mut state.items {
            items.launched += 1;
            if *status != ExecutionStatus::Running {
                items.done += 1;
                items.failed += 1;
            }
        }
        if *status == ExecutionStatus::Running {
            state.in_flight += 1;
        }
    }

    /// A task run recorded with its child (in flight), or failed before it could start.
    fn new_run(
        &mut self,
        name: &str,
        task: &Task,
        round: i32,
        index: Option<i32>,
        item: Option<Value>,
        plan: TaskRunPlan,
    ) -> NewTaskRun {
        let (status, child, result) = match plan {
            TaskRunPlan::Child(child) => (ExecutionStatus::Running, Some(*child), None),
            TaskRunPlan::Failed(document) => (ExecutionStatus::Failed, None, Some(document)),
        };
        let state = self.step.state.tasks.get_mut(name).expect("a running task has a state");
        match (index, status) {
            (_, ExecutionStatus::Running) => state.in_flight += 1,
            (Some(index), _) => {
                if let Some(items) = &mut state.items {
                    items.done += 1;
                    items.failed += 1;
                }
                self.overlay.entry((name.to_owned(), round)).or_default().push((index, status, result.clone()));
            }
            (None, _) => {
                state.ended = Some(RunEnd { succeeded: false, result: result.clone().unwrap_or(Value::Null) });
            }
        }
        NewTaskRun {
            task_name: name.to_owned(),
            round,
            task_index: index,
            item,
            status,
            child,
            result,
            max_retries: max_retries(task),
            timeout_seconds: task.timeout.map(|t| t as i32),
        }
    }

    /// Renders a run's parameters and has the host make its child.
    async fn plan_run(&self, name: &str, task: &Task, item: Option<Value>) -> TaskRunPlan {
        let (action, parameters) = match &task.inquiry {
            Some(inquiry) => (ASK_ACTION, ask_parameters(inquiry)),
            None => (task.action.as_deref().unwrap_or_default(), Value::Object(task.input.clone())),
        };
        let context = TaskContext { item, ended: None };
        let at = if task.inquiry.is_some() { format!("tasks.{name}.inquiry") } else { format!("tasks.{name}.input") };
        let failed =
            |message: String| TaskRunPlan::Failed(Failure::new(FailureKind::SetupFailed, message).result_document());
        let rendered = match render(self.host, &self.step.vars, &context, &parameters, &at).await {
            Ok(rendered) => rendered,
            Err(error) => return failed(error.to_string()),
        };
        let seal_also =
            attune_templates::holding(&rendered.value, &rendered.secrets).into_iter().map(str::to_owned).collect();
        let launch = Launch { task: name, action, parameters: rendered.value, seal_also, timeout_s: task.timeout };
        match self.host.child(launch).await {
            Ok(child) => TaskRunPlan::Child(Box::new(child)),
            Err(message) => failed(format!("tasks.{name}: {message}")),
        }
    }

    /// Every item's result of a round, in item order (`null` for one never run).
    async fn item_results(&self, name: &str, round: i32) -> Result<Value, HostError> {
        let mut results: Vec<Value> = Vec::new();
        for (index, _, result) in self.host.item_outcomes(name, round).await? {
            set_at(&mut results, index, result);
        }
        for (index, _, result) in self.overlay.get(&(name.to_owned(), round)).into_iter().flatten() {
            set_at(&mut results, *index, result.clone());
        }
        Ok(Value::Array(results))
    }

    /// Ends the run when nothing is in flight and nothing more will start.
    async fn decide_end(&mut self) {
        let state = &self.step.state;
        if state.tasks.values().any(|t| t.status == TaskStatus::Running) {
            return;
        }
        if let Some(failure) = &state.failure {
            let message = format!("task '{}' failed: {}", failure.task, failure.message);
            self.step.end = Some(End::Failed { task: Some(failure.task.clone()), message });
            return;
        }
        if state.tasks.values().any(|t| t.status == TaskStatus::Ready) {
            return; // paused
        }
        let context = TaskContext::default();
        self.step.end = Some(match render(self.host, &self.step.vars, &context, &self.graph.output, "output").await {
            Ok(rendered) => End::Completed(match rendered.value {
                Value::Null => json!({}),
                value => value,
            }),
            Err(error) => End::Failed { task: None, message: error.to_string() },
        });
    }
}

fn set_at(results: &mut Vec<Value>, index: i32, result: Option<Value>) {
    let index = index.max(0) as usize;
    if results.len() <= index {
        results.resize(index + 1, Value::Null);
    }
    results[index] = result.unwrap_or(Value::Null);
}

fn max_retries(task: &Task) -> i32 {
    task.retry.as_ref().map_or(0, |retry| retry.count as i32)
}

/// Seconds before retry number `done + 1`: the delay, doubled each time when exponential,
/// at most `max_delay`.
pub fn retry_delay(retry: &TaskRetry, done: i32) -> f64 {
    let delay = match retry.backoff {
        Backoff::Fixed => retry.delay,
        Backoff::Exponential => retry.delay * 2f64.powi(done.clamp(0, 30)),
    };
    retry.max_delay.map_or(delay, |max| delay.min(max)).max(0.0)
}

/// The parameters of `core.ask` for an inquiry task. Names in `assigned_to` (one, or a
/// list) are identity logins and permission set refs alike; a mapping names them apart.
fn ask_parameters(inquiry: &attune_domain::graph::InquiryTask) -> Value {
    let mut parameters = Map::new();
    parameters.insert("prompt".into(), Value::String(inquiry.prompt.clone()));
    if let Some(schema) = &inquiry.schema {
        parameters.insert("schema".into(), schema.clone());
    }
    let names = |value: &Value| -> Vec<Value> {
        match value {
            Value::String(_) => vec![value.clone()],
            Value::Array(items) => items.clone(),
            _ => Vec::new(),
        }
    };
    match &inquiry.assigned_to {
        Some(Value::Object(assignees)) => {
            parameters.insert("assigned_to".into(), Value::Object(assignees.clone()));
        }
        Some(other) => {
            let names: BTreeSet<String> = names(other).iter().filter_map(|n| n.as_str().map(str::to_owned)).collect();
            parameters.insert("assigned_to".into(), json!({"identities": names, "permission_sets": names}));
        }
        None => {}
    }
    if let Some(timeout) = inquiry.timeout {
        parameters.insert("timeout_s".into(), json!(timeout));
    }
    Value::Object(parameters)
}
