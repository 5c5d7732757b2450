//! The workflow engine under the executor, deterministically: the test plays the worker
//! (it ends each scheduled child with a result of its choosing) and the bus (it hands the
//! executor's messages over one by one), so it can drop a finish hint or crash the
//! executor between a child's end and its workflow's step, then check that recovery
//! resumes the run where it stopped — and that no task ran twice.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use attune_bus::{Bus, Message, Queue};
use attune_domain::Id;
use attune_domain::execution::ExecutionFilter;
use attune_domain::page::PageRequest;
use attune_domain::status::ExecutionStatus::{self, *};
use attune_executor::faults::FaultPoint;
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_test_support::Backend;
use serde_json::{Value, json};
use support::World;

const FLOW: &str = r#"
ref: flows.deploy
parameters:
  hosts: {type: array, required: true}
tasks:
  build:
    action: core.echo
    input: {message: build}
    retry: {count: 1}
    next:
      - when: "{{ succeeded() }}"
        publish: {artifact: "{{ result().stdout }}-1"}
        do: [test, lint]
      - when: "{{ failed() }}"
        do: notify
  test: {action: core.echo, input: {message: "test {{ vars.artifact }}"}, next: [{do: deploy}]}
  lint: {action: core.echo, input: {message: lint}, next: [{do: deploy}]}
  deploy:
    join: all
    action: core.echo
    with: {items: "{{ input.hosts }}", concurrency: 2}
    input: {message: "deploy {{ item() }}"}
    next: [{publish: {deployed: "{{ result() | map(attribute='stdout') | join(sep=',') }}"}}]
  notify: {action: core.echo, input: {message: failed}}
output:
  artifact: "{{ vars.artifact }}"
  deployed: "{{ vars.deployed }}"
"#;

/// A world with the `flows` pack registered.
async fn world(backend: Backend, workflow: &str) -> (World, tempfile::TempDir) {
    let world = World::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("pack.yaml"), "ref: flows\nversion: 1.0.0\n").unwrap();
    std::fs::write(dir.path().join("workflows/flow.yaml"), workflow).unwrap();
    attune_packs::register_pack(world.store.store.as_ref(), dir.path()).await.unwrap();
    (world, dir)
}

/// The test's worker and bus around one executor.
struct Driver<'a> {
    world: &'a World,
    scheduler: attune_executor::Scheduler,
    hints: attune_bus::Consumer,
    /// How many times each message text was run, per task (`message` parameter).
    runs: BTreeMap<String, usize>,
    /// Messages whose first run fails.
    fail_first: Vec<String>,
    /// Children (by message) whose next finish hint is dropped, as if lost.
    drop_finish: Vec<String>,
}

impl<'a> Driver<'a> {
    async fn new(world: &'a World) -> Driver<'a> {
        let hints = world.bus.consume(&Queue::Executor).await.unwrap();
        Driver {
            world,
            scheduler: world.scheduler(),
            hints,
            runs: BTreeMap::new(),
            fail_first: Vec::new(),
            drop_finish: Vec::new(),
        }
    }

    /// Hands over every message waiting, and runs every child scheduled on the worker,
    /// until nothing moves.
    async fn settle(&mut self) {
        loop {
            let mut moved = false;
            while let Ok(Some(delivery)) = tokio::time::timeout(Duration::from_millis(20), self.hints.next()).await {
                moved = true;
                let message = delivery.message.clone();
                delivery.ack().await;
                match message {
                    Message::ExecutionRequested { execution } => {
                        self.scheduler.schedule(execution).await.unwrap();
                    }
                    Message::ExecutionFinished { execution, status, parent } => {
                        let child = self.world.store.store.get_execution(execution).await.unwrap();
                        let message = child.parameters["message"].as_str().unwrap_or_default().to_owned();
                        if let Some(at) = self.drop_finish.iter().position(|m| *m == message) {
                            self.drop_finish.remove(at);
                            continue;
                        }
                        self.scheduler.finished(execution, status, parent).await.unwrap();
                    }
                    _ => {}
                }
            }
            for child in self.with_status(Scheduled).await {
                moved = true;
                self.run(child).await;
            }
            if !moved {
                return;
            }
        }
    }

    async fn with_status(&self, status: ExecutionStatus) -> Vec<Id> {
        let filter = ExecutionFilter { statuses: vec![status], ..ExecutionFilter::default() };
        let page = self.world.store.store.list_executions(&filter, PageRequest::new(1, 1000)).await.unwrap();
        page.items.into_iter().map(|e| e.id).collect()
    }

    /// Plays the worker: starts the child and ends it, echoing its message (failing it the
    /// first time when asked to).
    async fn run(&mut self, id: Id) {
        let store = self.world.store.store.as_ref();
        let lifecycle = Lifecycle::new(store, self.world.bus.as_ref());
        let child = store.get_execution(id).await.unwrap();
        let message = child.parameters["message"].as_str().unwrap_or_default().to_owned();
        let count = self.runs.entry(message.clone()).or_default();
        *count += 1;
        lifecycle.start(id, self.world.worker).await.unwrap().unwrap();
        let ending = match self.fail_first.contains(&message) && *count == 1 {
            true => Ending::failure(attune_domain::failure::FailureKind::NonzeroExit, "exit 1"),
            false => Ending { status: Completed, result: json!({"stdout": message}), metering: None },
        };
        lifecycle.finish(id, &[Running], ending).await.unwrap().unwrap();
    }
}

/// A reconciliation pass a minute from now, when what was written is stale (the
/// scheduler's clock stays, so the worker is still alive to it).
async fn late_pass(world: &World) -> attune_executor::ReconcileReport {
    let clock = std::sync::Arc::new(attune_executor::clock::ManualClock::new());
    clock.advance(Duration::from_secs(60));
    let config = attune_executor::ExecutorConfig { dead_after: Duration::from_secs(3600), ..support::CONFIG };
    attune_executor::Reconciler::new(&world.platform(), config).with_clock(clock).pass(false).await.unwrap()
}

async fn start(world: &World, hosts: Value) -> Id {
    world.requested_of("flows.deploy", json!({"hosts": hosts})).await
}

async fn request(world: &World, id: Id) {
    world.bus.publish(&Queue::Executor, &Message::ExecutionRequested { execution: id }).await.unwrap();
}

#[tokio::test]
async fn branches_join_and_items_run_once_each_with_results_in_item_order() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (world, _dir) = world(backend, FLOW).await;
        let mut driver = Driver::new(&world).await;
        driver.fail_first.push("build".into());
        let mut notices = world.bus.subscribe().await.unwrap();
        let id = start(&world, json!(["a", "b", "c", "d", "e"])).await;
        request(&world, id).await;
        driver.settle().await;
        // Live views hear each task change state.
        let mut heard = Vec::new();
        while let Ok(Some(received)) = tokio::time::timeout(Duration::from_millis(50), notices.next()).await {
            if let attune_bus::Received::Notice(attune_bus::Notice::WorkflowTask { execution, task, status, .. }) =
                received
            {
                assert_eq!(execution, id);
                heard.push(format!("{task} {status}"));
            }
        }
        for expected in ["build running", "build succeeded", "deploy running", "deploy succeeded"] {
            assert!(heard.iter().any(|h| h == expected), "{expected}: {heard:?}");
        }

        let workflow = world.store.store.get_execution(id).await.unwrap();
        assert_eq!(workflow.status, Completed, "{:?}", workflow.result);
        assert_eq!(
            workflow.result.unwrap(),
            json!({"artifact": "build-1", "deployed": "deploy a,deploy b,deploy c,deploy d,deploy e"})
        );
        let expected: BTreeMap<String, usize> = [
            ("build", 2), // failed once, retried
            ("test build-1", 1),
            ("lint", 1),
            ("deploy a", 1),
            ("deploy b", 1),
            ("deploy c", 1),
            ("deploy d", 1),
            ("deploy e", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(driver.runs, expected, "{backend:?}: every task ran once, the failed build twice");
        let children = world
            .store
            .store
            .list_executions(
                &ExecutionFilter { parent: Some(id), ..ExecutionFilter::default() },
                PageRequest::new(1, 100),
            )
            .await
            .unwrap();
        assert_eq!(children.total, 9, "one child per run and attempt");
    }
}

/// One task after another, items one at a time: every finish hint is the only one that
/// moves the workflow on.
const SEQUENCE: &str = r#"
ref: flows.deploy
parameters:
  hosts: {type: array, required: true}
tasks:
  one: {action: core.echo, input: {message: one}, next: [{do: each}]}
  each:
    action: core.echo
    with: {items: "{{ input.hosts }}", concurrency: 1}
    input: {message: "{{ item() }}"}
    next: [{do: last}]
  last: {action: core.echo, input: {message: last}}
"#;

#[tokio::test]
async fn lost_finish_hints_and_a_crash_before_the_step_are_recovered_without_running_anything_twice() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (world, _dir) = world(backend, SEQUENCE).await;
        let mut driver = Driver::new(&world).await;
        let id = start(&world, json!(["a", "b", "c"])).await;
        request(&world, id).await;
        // The executor crashes after the first child's end, before the workflow's step:
        // nothing moves on its own.
        world.faults.arm(FaultPoint::BeforeParentStep);
        driver.settle().await;
        assert_eq!(world.status(id).await, Running);
        assert_eq!(driver.runs.keys().collect::<Vec<_>>(), ["one"]);

        // The reconciler sends the child's finish again. This time the next child's finish
        // hint is lost.
        let report = late_pass(&world).await;
        assert_eq!((report.hints_resent, report.stepped), (1, 0), "{report:?}");
        driver.drop_finish.push("a".into());
        driver.settle().await;
        assert_eq!(world.status(id).await, Running);
        assert_eq!(driver.runs.len(), 2, "stopped after the first item: {:?}", driver.runs);

        late_pass(&world).await;
        driver.settle().await;
        assert_eq!(world.status(id).await, Completed);
        assert!(driver.runs.values().all(|&n| n == 1), "nothing ran twice: {:?}", driver.runs);
        assert_eq!(driver.runs.len(), 5, "{:?}", driver.runs);
    }
}

#[tokio::test]
async fn an_unhandled_failure_fails_the_workflow_naming_the_task() {
    let flow = r#"
ref: flows.deploy
parameters:
  hosts: {type: array, default: []}
tasks:
  first: {action: core.echo, input: {message: one}, next: [{when: "{{ succeeded() }}", do: second}]}
  second: {action: core.echo, input: {message: two}}
"#;
    let (world, _dir) = world(Backend::Sqlite, flow).await;
    let mut driver = Driver::new(&world).await;
    driver.fail_first.push("one".into());
    let id = start(&world, json!([])).await;
    request(&world, id).await;
    driver.settle().await;
    let workflow = world.store.store.get_execution(id).await.unwrap();
    assert_eq!(workflow.status, Failed);
    let error = &workflow.result.unwrap()["error"];
    assert_eq!(error["kind"], "task_failed");
    assert!(error["message"].as_str().unwrap().contains("task 'first' failed"), "{error}");
    assert!(!driver.runs.contains_key("two"), "nothing started after the failure");
}

#[tokio::test]
async fn templates_in_the_input_are_data_never_rendered_again() {
    let flow = r#"
ref: flows.deploy
parameters:
  hosts: {type: array, required: true}
tasks:
  say:
    action: core.echo
    with: {items: "{{ input.hosts }}"}
    input: {message: "{{ item() }}"}
"#;
    let (world, _dir) = world(Backend::Sqlite, flow).await;
    let mut driver = Driver::new(&world).await;
    let id = start(&world, json!(["{{ input }}", "{% for x in range(end=3) %}x{% endfor %}"])).await;
    request(&world, id).await;
    driver.settle().await;
    assert_eq!(world.status(id).await, Completed);
    assert!(driver.runs.contains_key("{{ input }}"), "{:?}", driver.runs);
    assert!(driver.runs.contains_key("{% for x in range(end=3) %}x{% endfor %}"), "{:?}", driver.runs);
}

#[tokio::test]
async fn a_nested_workflow_runs_as_a_task_and_a_join_of_one_starts_at_the_first_arrival() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("pack.yaml"), "ref: flows\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        dir.path().join("workflows/inner.yaml"),
        r#"
ref: flows.inner
parameters:
  word: {type: string, required: true}
tasks:
  say: {action: core.echo, input: {message: "inner {{ input.word }}"}, next: [{publish: {said: "{{ result().stdout }}"}}]}
output: {said: "{{ vars.said }}"}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("workflows/flow.yaml"),
        r#"
ref: flows.deploy
parameters:
  hosts: {type: array, default: []}
tasks:
  fast: {action: core.echo, input: {message: fast}, next: [{do: first_wins}]}
  slow: {action: core.echo, input: {message: slow}, next: [{do: first_wins}]}
  first_wins:
    join: 1
    action: flows.inner
    input: {word: "{{ vars.word | default(value='joined') }}"}
    next:
      - when: "{{ failed() }}"
        publish: {outcome: handled}
      - when: "{{ succeeded() }}"
        publish: {outcome: "{{ result().said }}"}
output: {outcome: "{{ vars.outcome }}"}
"#,
    )
    .unwrap();
    let world = World::new(Backend::Sqlite).await;
    attune_packs::register_pack(world.store.store.as_ref(), dir.path()).await.unwrap();
    let mut driver = Driver::new(&world).await;
    let id = start(&world, json!([])).await;
    request(&world, id).await;
    driver.settle().await;
    let workflow = world.store.store.get_execution(id).await.unwrap();
    assert_eq!(workflow.status, Completed, "{:?}", workflow.result);
    assert_eq!(workflow.result.unwrap(), json!({"outcome": "inner joined"}));
    // The join started once, on the first arrival: one nested run, one inner step.
    assert_eq!(driver.runs.get("inner joined"), Some(&1), "{:?}", driver.runs);
    let run = world.store.store.get_workflow_execution(id).await.unwrap();
    let nested: Vec<_> = world
        .store
        .store
        .list_task_executions(run.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.task_name == "first_wins")
        .collect();
    assert_eq!(nested.len(), 1);
    let inner = world.store.store.get_execution(nested[0].execution.unwrap()).await.unwrap();
    assert_eq!((inner.action_ref.as_str(), inner.parent), ("flows.inner", Some(id)));
}

#[tokio::test]
async fn a_paused_workflow_starts_nothing_until_resumed() {
    let (world, _dir) = world(Backend::Sqlite, SEQUENCE).await;
    let mut driver = Driver::new(&world).await;
    let id = start(&world, json!(["a", "b"])).await;
    // Started (its first task requested), then paused before that task has run.
    world.scheduler().schedule(id).await.unwrap();
    let platform = world.platform();
    attune_services::workflows::pause(&platform, id, Some("maintenance".into())).await.unwrap();
    driver.settle().await;
    assert_eq!(driver.runs.keys().collect::<Vec<_>>(), ["one"]);
    let view = attune_services::workflows::view(&platform, id).await.unwrap();
    assert!(view.paused);
    assert_eq!(view.tasks.iter().find(|t| t.name == "each").unwrap().state.as_deref(), Some("ready"));

    attune_services::workflows::resume(&platform, id).await.unwrap();
    driver.settle().await;
    assert_eq!(world.status(id).await, Completed);
    assert_eq!(driver.runs.len(), 4, "{:?}", driver.runs);
}

#[tokio::test]
async fn a_task_follows_the_retry_its_actions_retry_policy_makes() {
    let (world, _dir) = world(Backend::Sqlite, SEQUENCE).await;
    let policy = attune_domain::policy::NewPolicy {
        r#ref: "core.echo_retry".into(),
        action_ref: "core.echo".into(),
        policy_type: attune_domain::status::PolicyType::Retry,
        method: None,
        threshold: 1,
        parameters: Vec::new(),
        settings: json!({"delay_s": 0, "on": ["failed"]}),
        enabled: true,
    };
    world.store.store.create_policy(&policy).await.unwrap();
    let mut driver = Driver::new(&world).await;
    driver.fail_first.push("one".into());
    let id = start(&world, json!(["a"])).await;
    request(&world, id).await;
    driver.settle().await;
    assert_eq!(world.status(id).await, Completed, "the policy's retry completed the task");
    assert_eq!(driver.runs.get("one"), Some(&2), "{:?}", driver.runs);
    let run = world.store.store.get_workflow_execution(id).await.unwrap();
    let one = world.store.store.list_task_executions(run.id).await.unwrap().remove(0);
    let child = world.store.store.get_execution(one.execution.unwrap()).await.unwrap();
    assert_eq!((child.attempt, child.retry_of.is_some(), one.status), (2, true, Completed));
}

#[tokio::test]
async fn templates_read_only_their_own_packs_keys_and_secrets_stay_sealed_and_masked() {
    let flow = r#"
ref: flows.deploy
parameters:
  hosts: {type: array, default: []}
tasks:
  read:
    action: core.echo
    input: {message: '{{ kv("token") }}'}
    next: [{publish: {token: '{{ kv("token") }}'}, do: steal}]
  steal: {action: core.echo, input: {message: 'root={{ kv("root") }}'}}
"#;
    let (world, _dir) = world(Backend::Sqlite, flow).await;
    let platform = world.platform();
    let store = world.store.store.as_ref();
    let pack = store.get_pack("flows").await.unwrap();
    let key = |owner, name: &str, value: &str, encrypted| attune_domain::key::NewKey {
        owner,
        name: name.into(),
        value: value.into(),
        encrypted,
        encryption_key_hash: None,
        expires_at: None,
    };
    let sealed = platform.cipher.encrypt("pack-secret-value");
    store
        .put_key(&key(attune_domain::key::KeyOwner::Pack { id: pack.id, r#ref: pack.r#ref }, "token", &sealed, true))
        .await
        .unwrap();
    store.put_key(&key(attune_domain::key::KeyOwner::System, "root", "system-secret-value", false)).await.unwrap();
    let mut driver = Driver::new(&world).await;
    let id = start(&world, json!([])).await;
    request(&world, id).await;
    driver.settle().await;
    // A workflow from pack files reads its own pack's keys only: the system key does not
    // exist for it, so the task that reads it fails before any child is made.
    let ended = world.store.store.get_execution(id).await.unwrap();
    assert_eq!(ended.status, Failed);
    let message = ended.result.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("task 'steal'") && message.contains("key 'root' does not exist"), "{message}");
    assert_eq!(driver.runs.len(), 1, "only the first task ran: {:?}", driver.runs);
    assert!(!format!("{:?}", driver.runs).contains("secret-value"), "stored sealed: {:?}", driver.runs);
    let children = store
        .list_executions(&ExecutionFilter { parent: Some(id), ..ExecutionFilter::default() }, PageRequest::new(1, 10))
        .await
        .unwrap();
    let read = children.items.iter().find(|c| c.sealed_parameters.contains(&"message".to_owned()));
    let read = read.expect("the parameter holding the pack's secret is sealed");
    assert!(!read.parameters.to_string().contains("pack-secret-value"), "sealed at rest: {}", read.parameters);
    // The published variable is stored sealed and shown masked.
    let run = store.get_workflow_execution(id).await.unwrap();
    assert!(!run.variables.to_string().contains("pack-secret-value"), "{}", run.variables);
    let view = attune_services::workflows::view(&platform, id).await.unwrap();
    assert_eq!(view.variables["token"], "********");
}
