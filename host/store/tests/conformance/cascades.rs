//! What deleting takes along and what it leaves: pack-owned components go with their pack;
//! history (events, enforcements, executions) stays, keeping its refs with the links unset.

use attune_domain::key::KeyOwner;
use attune_domain::status::{ExecutionStatus, KeyOwnerType};
use attune_store::{KeyFilter, RuleFilter};

use crate::support::*;

conformance_tests!(
    deleting_a_pack_removes_everything_it_owns,
    history_survives_deleting_its_pack,
    rules_of_other_packs_survive_deleting_their_targets,
    deleting_an_execution_keeps_its_children_as_history,
    deleting_an_identity_removes_its_keys_and_assignments,
    deleting_an_event_keeps_its_enforcements,
    deleting_a_permission_set_removes_its_assignments,
);

async fn deleting_a_pack_removes_everything_it_owns(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let pack = store.get_pack("sample").await.unwrap();
    let notify = store.get_action("sample.notify").await.unwrap();
    let watcher = store.get_sensor("sample.watcher").await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let owners = [
        KeyOwner::Pack { id: pack.id, r#ref: pack.r#ref.clone() },
        KeyOwner::Action { id: notify.id, r#ref: notify.r#ref.clone() },
        KeyOwner::Sensor { id: watcher.id, r#ref: watcher.r#ref.clone() },
        KeyOwner::System,
        KeyOwner::Identity { id: ada.id, login: ada.login.clone() },
    ];
    for owner in owners {
        store.put_key(&new_key(owner, "token", "secret")).await.unwrap();
    }
    store.assign_permission_set(ada.id, "sample.operators").await.unwrap();

    store.delete_pack("sample").await.unwrap();

    assert!(PackContents::read(store, "sample").await.is_empty());
    let keys = store.list_keys(&KeyFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(keys), ["ada.token", "token"]);
    let owner_types: Vec<_> = keys.items.iter().map(|k| k.owner_type).collect();
    assert_eq!(owner_types, [KeyOwnerType::Identity, KeyOwnerType::System]);
    assert!(store.identity_permission_sets(ada.id).await.unwrap().is_empty());
    store.get_identity(ada.id).await.unwrap();
}

async fn history_survives_deleting_its_pack(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", Some("sample.watcher"))).await.unwrap();
    let enforcement =
        store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await.unwrap();
    let mut started = new_execution("sample.notify");
    started.enforcement = Some(enforcement.id);
    started.rule_ref = Some("sample.on_alert".into());
    started.trigger_ref = Some("sample.alert".into());
    let execution = store.create_execution(&started).await.unwrap();
    let workflow_run = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let variables = serde_json::json!({"service": "api"});
    let graph = serde_json::json!({});
    store.start_workflow_execution(workflow_run.id, "sample.deploy", &graph, &variables, &graph).await.unwrap();
    assert!(event.trigger.is_some() && event.source.is_some());
    assert!(enforcement.rule.is_some() && execution.action.is_some());

    store.delete_pack("sample").await.unwrap();

    let event = store.get_event(event.id).await.unwrap();
    assert_eq!((event.trigger, event.trigger_ref.as_str()), (None, "sample.alert"));
    assert_eq!((event.source, event.source_ref.as_deref()), (None, Some("sample.watcher")));
    let enforcement = store.get_enforcement(enforcement.id).await.unwrap();
    assert_eq!((enforcement.rule, enforcement.rule_ref.as_str()), (None, "sample.on_alert"));
    assert_eq!(enforcement.event, Some(event.id));
    let execution = store.get_execution(execution.id).await.unwrap();
    assert_eq!((execution.action, execution.action_ref.as_str()), (None, "sample.notify"));
    assert_eq!(execution.enforcement, Some(enforcement.id));
    assert_eq!(execution.rule_ref.as_deref(), Some("sample.on_alert"));
    assert_eq!(execution.trigger_ref.as_deref(), Some("sample.alert"));
    let run = store.get_workflow_execution(workflow_run.id).await.unwrap();
    assert_eq!((run.workflow_def, run.variables), (None, variables));
}

async fn rules_of_other_packs_survive_deleting_their_targets(store: &TestStore) {
    store.register_pack(&sample_bundle("alpha")).await.unwrap();
    store.register_pack(&empty_bundle("beta")).await.unwrap();
    store.create_rule(&rule("beta.on_alpha", "alpha.alert", "alpha.notify")).await.unwrap();

    store.delete_pack("alpha").await.unwrap();

    let survivor = store.get_rule("beta.on_alpha").await.unwrap();
    assert_eq!((survivor.trigger, survivor.trigger_ref.as_str()), (None, "alpha.alert"));
    assert_eq!((survivor.action, survivor.action_ref.as_str()), (None, "alpha.notify"));
    let rules = store.list_rules(&RuleFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(rules), ["beta.on_alpha"]);
}

async fn deleting_an_execution_keeps_its_children_as_history(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let parent = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let mut child = new_execution("sample.notify");
    child.parent = Some(parent.id);
    store.create_execution(&child).await.unwrap();
    let second = store.create_execution(&child).await.unwrap();
    store.append_output(parent.id, &[("stdout".into(), "starting".into())]).await.unwrap();
    let artifact = store.create_artifact(&new_artifact("report", Some(parent.id))).await.unwrap();
    let inquiry = store.create_inquiry(&new_inquiry(Some(parent.id))).await.unwrap();
    let empty = serde_json::json!({});
    let run = store.start_workflow_execution(parent.id, "sample.deploy", &empty, &empty, &empty).await.unwrap();
    for (from, to) in [
        (ExecutionStatus::Requested, ExecutionStatus::Scheduling),
        (ExecutionStatus::Scheduling, ExecutionStatus::Running),
    ] {
        store.transition_execution(parent.id, &[from], to, &Default::default()).await.unwrap().unwrap();
    }
    let task_child = store
        .write_workflow_step(&step_of(&run, vec![task_run("first", None, Some(parent.id))]))
        .await
        .unwrap()
        .unwrap()
        .remove(0);

    // A task's child execution goes; the task run keeps its history.
    store.delete_execution(task_child.id).await.unwrap();
    let tasks = store.list_task_executions(run.id).await.unwrap();
    assert_eq!((tasks[0].task_name.as_str(), tasks[0].execution), ("first", None));

    store.delete_execution(parent.id).await.unwrap();
    assert_not_found(store.get_execution(parent.id).await);
    let orphan = store.get_execution(second.id).await.unwrap();
    assert_eq!((orphan.parent, orphan.action_ref.as_str()), (None, "sample.notify"));
    assert!(store.list_output(parent.id, 0, 100).await.unwrap().is_empty());
    assert_eq!(store.get_artifact(artifact.id).await.unwrap().execution, None);
    assert_not_found(store.get_inquiry(inquiry.id).await);
    assert_not_found(store.get_workflow_execution(parent.id).await);
    assert!(store.list_task_executions(run.id).await.unwrap().is_empty());
}

async fn deleting_an_identity_removes_its_keys_and_assignments(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let bob = store.create_identity(&new_identity("bob")).await.unwrap();
    for identity in [&ada, &bob] {
        let owner = KeyOwner::Identity { id: identity.id, login: identity.login.clone() };
        store.put_key(&new_key(owner, "token", "secret")).await.unwrap();
        store.assign_permission_set(identity.id, "sample.operators").await.unwrap();
    }
    let mut started = new_execution("sample.notify");
    started.executor = Some(ada.id);
    let execution = store.create_execution(&started).await.unwrap();
    let mut asked = new_inquiry(Some(execution.id));
    asked.assignees.identities = vec!["ada".into()];
    let inquiry = store.create_inquiry(&asked).await.unwrap();

    store.delete_identity(ada.id).await.unwrap();

    assert_not_found(store.get_identity(ada.id).await);
    assert_not_found(store.get_key(KeyOwnerType::Identity, "ada", "token").await);
    store.get_key(KeyOwnerType::Identity, "bob", "token").await.unwrap();
    assert!(store.identity_permission_sets(ada.id).await.unwrap().is_empty());
    assert_eq!(store.identity_permission_sets(bob.id).await.unwrap().len(), 1);
    store.get_permission_set("sample.operators").await.unwrap();
    let execution = store.get_execution(execution.id).await.unwrap();
    assert_eq!((execution.executor, execution.action_ref.as_str()), (None, "sample.notify"));
    let kept = store.get_inquiry(inquiry.id).await.unwrap();
    assert_eq!(kept.assignees.identities, ["ada"], "an inquiry remembers whom it asked");
}

async fn deleting_an_event_keeps_its_enforcements(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let enforcement =
        store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await.unwrap();

    store.delete_event(event.id).await.unwrap();

    assert_not_found(store.get_event(event.id).await);
    let kept = store.get_enforcement(enforcement.id).await.unwrap();
    assert_eq!((kept.event, kept.rule_ref.as_str()), (None, "sample.on_alert"));
    assert_eq!(kept.payload, enforcement.payload);
}

async fn deleting_a_permission_set_removes_its_assignments(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    store.upsert_permission_set(&permission_set("auditors")).await.unwrap();
    store.upsert_permission_set(&permission_set("operators")).await.unwrap();
    store.assign_permission_set(ada.id, "auditors").await.unwrap();
    store.assign_permission_set(ada.id, "operators").await.unwrap();

    store.delete_permission_set("auditors").await.unwrap();

    let held = store.identity_permission_sets(ada.id).await.unwrap();
    assert_eq!(held.iter().map(|s| s.r#ref.as_str()).collect::<Vec<_>>(), ["operators"]);
    assert!(!store.unassign_permission_set(ada.id, "auditors").await.unwrap());
}
