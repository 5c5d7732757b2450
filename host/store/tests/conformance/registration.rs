//! Registering a pack bundle: all or nothing, idempotent, updates in place, removals, and the
//! operator's configuration kept across registrations.

use attune_domain::pack::PackBundle;
use attune_domain::status::RunnerType;
use serde_json::json;

use crate::support::*;

conformance_tests!(
    registering_the_same_bundle_again_keeps_every_id,
    changed_components_are_updated_in_place,
    components_no_longer_declared_are_deleted,
    rules_made_outside_the_files_survive_registration,
    a_broken_bundle_stores_nothing_of_a_new_pack,
    a_broken_bundle_leaves_an_existing_pack_as_it_was,
    operator_configuration_survives_registration_and_new_keys_are_added,
    a_component_ref_owned_elsewhere_is_a_conflict,
);

async fn registering_the_same_bundle_again_keeps_every_id(store: &TestStore) {
    let bundle = sample_bundle("sample");
    let first = store.register_pack(&bundle).await.unwrap();
    let registered = PackContents::read(store, "sample").await;

    let again = store.register_pack(&bundle).await.unwrap();
    assert_eq!(again.pack_id, first.pack_id);
    assert_eq!((again.created, again.updated, again.deleted), (0, SAMPLE_COMPONENTS, 0));
    let reregistered = PackContents::read(store, "sample").await;
    assert_eq!(reregistered.component_ids(), registered.component_ids());
    assert_eq!(reregistered.pack.as_ref().unwrap().id, registered.pack.as_ref().unwrap().id);
    assert_eq!(reregistered.pack.unwrap().created, registered.pack.unwrap().created);
}

async fn changed_components_are_updated_in_place(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let before = PackContents::read(store, "sample").await;

    let mut bundle = sample_bundle("sample");
    let pack = bundle.pack.as_mut().unwrap();
    pack.version = "2.0.0".into();
    pack.label = "Sample, second edition".into();
    bundle.triggers[0].payload_schema = json!({"type": "object", "required": ["message"]});
    bundle.actions[0].label = "Notify everyone".into();
    bundle.actions[0].timeout_s = Some(90);
    bundle.actions[0].secrets = vec!["slack_token".into(), "pager_token".into()];
    bundle.sensors[0].poll_interval_s = Some(60);
    bundle.rules[0].action_ref = "sample.fetch".into();
    bundle.rules[0].enabled = false;
    bundle.workflows[0].definition = json!({"tasks": {"only": {"action": "sample.fetch"}}});
    bundle.policies[0].threshold = 5;
    bundle.permission_sets[0].grants = vec![grant("*@sample:view")];
    let summary = store.register_pack(&bundle).await.unwrap();
    assert_eq!((summary.created, summary.updated, summary.deleted), (0, SAMPLE_COMPONENTS, 0));

    let after = PackContents::read(store, "sample").await;
    assert_eq!(after.component_ids(), before.component_ids());
    let pack = after.pack.unwrap();
    assert_eq!((pack.version.as_str(), pack.label.as_str()), ("2.0.0", "Sample, second edition"));
    let alert = store.get_trigger("sample.alert").await.unwrap();
    assert_eq!(alert.payload_schema, json!({"type": "object", "required": ["message"]}));
    let notify = store.get_action("sample.notify").await.unwrap();
    assert_eq!((notify.label.as_str(), notify.timeout_s), ("Notify everyone", Some(90)));
    assert_eq!(notify.secrets, ["slack_token", "pager_token"]);
    assert_eq!(store.get_sensor("sample.watcher").await.unwrap().poll_interval_s, Some(60));
    let on_alert = store.get_rule("sample.on_alert").await.unwrap();
    let fetch = store.get_action("sample.fetch").await.unwrap();
    assert_eq!((on_alert.action, on_alert.action_ref.as_str()), (Some(fetch.id), "sample.fetch"));
    assert!(!on_alert.enabled);
    let deploy = store.get_workflow_definition("sample.deploy").await.unwrap();
    assert_eq!(deploy.definition, json!({"tasks": {"only": {"action": "sample.fetch"}}}));
    assert_eq!(store.get_policy("sample.one_notify").await.unwrap().threshold, 5);
    let operators = store.get_permission_set("sample.operators").await.unwrap();
    assert_eq!(operators.grants, [grant("*@sample:view")]);
}

async fn components_no_longer_declared_are_deleted(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let before = PackContents::read(store, "sample").await;

    // Keep the alert → notify path; drop the tick path, the workflow and everything else.
    let mut bundle = sample_bundle("sample");
    bundle.triggers.retain(|t| t.r#ref == "sample.alert");
    bundle.actions.retain(|a| a.r#ref == "sample.notify");
    bundle.rules.retain(|r| r.r#ref == "sample.on_alert");
    bundle.workflows.clear();
    bundle.sensors.clear();
    bundle.policies.clear();
    bundle.permission_sets.clear();
    let summary = store.register_pack(&bundle).await.unwrap();
    assert_eq!((summary.created, summary.updated, summary.deleted), (0, 3, 8));

    assert_not_found(store.get_trigger("sample.tick").await);
    assert_not_found(store.get_action("sample.fetch").await);
    assert_not_found(store.get_action("sample.deploy").await);
    assert_not_found(store.get_workflow_definition("sample.deploy").await);
    assert_not_found(store.get_sensor("sample.watcher").await);
    assert_not_found(store.get_rule("sample.on_tick").await);
    assert_not_found(store.get_policy("sample.one_notify").await);
    assert_not_found(store.get_permission_set("sample.operators").await);

    let after = PackContents::read(store, "sample").await;
    let kept: Vec<_> = before
        .component_ids()
        .into_iter()
        .filter(|(name, _)| {
            ["trigger sample.alert", "action sample.notify", "rule sample.on_alert"].contains(&name.as_str())
        })
        .collect();
    assert_eq!(after.component_ids(), kept);
}

async fn rules_made_outside_the_files_survive_registration(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let made = store.create_rule(&rule("sample.on_tick_made", "sample.tick", "sample.notify")).await.unwrap();
    let summary = store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_eq!(summary.deleted, 0, "{summary:?}");
    assert_eq!(store.get_rule("sample.on_tick_made").await.unwrap(), made);

    // The files dropping every rule delete theirs, not it.
    let mut bundle = sample_bundle("sample");
    bundle.rules.clear();
    store.register_pack(&bundle).await.unwrap();
    assert_not_found(store.get_rule("sample.on_alert").await);
    assert_eq!(store.get_rule("sample.on_tick_made").await.unwrap().id, made.id);

    // Files declaring its ref take it over; dropped from them later, it goes.
    let mut bundle = sample_bundle("sample");
    let mut declared = bundle.rules[0].clone();
    declared.r#ref = "sample.on_tick_made".into();
    bundle.rules.push(declared);
    store.register_pack(&bundle).await.unwrap();
    assert_eq!(store.get_rule("sample.on_tick_made").await.unwrap().id, made.id, "updated in place");
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_not_found(store.get_rule("sample.on_tick_made").await);
}

/// Bundles that each name something that does not exist, in a different component kind.
fn broken_bundles(pack_ref: &str) -> Vec<(&'static str, PackBundle)> {
    let r = |name: &str| format!("{pack_ref}.{name}");
    let mut unknown_action = sample_bundle(pack_ref);
    unknown_action.rules.push(rule(&r("broken"), &r("alert"), &r("missing")));
    let mut unknown_trigger = sample_bundle(pack_ref);
    unknown_trigger.rules.push(rule(&r("broken"), &r("missing"), &r("notify")));
    let mut unknown_policy_action = sample_bundle(pack_ref);
    unknown_policy_action.policies.push(policy(&r("broken"), &r("missing")));
    let mut workflow_action_without_workflow = sample_bundle(pack_ref);
    workflow_action_without_workflow.actions.push(action(&r("orphan"), RunnerType::Workflow));
    vec![
        ("a rule naming an unknown action", unknown_action),
        ("a rule naming an unknown trigger", unknown_trigger),
        ("a policy naming an unknown action", unknown_policy_action),
        ("a workflow action without its workflow", workflow_action_without_workflow),
    ]
}

async fn a_broken_bundle_stores_nothing_of_a_new_pack(store: &TestStore) {
    for (what, bundle) in broken_bundles("sample") {
        let result = store.register_pack(&bundle).await;
        assert!(
            matches!(result, Err(attune_store::StoreError::UnknownReference(_))),
            "{what}: expected an unknown reference, got {result:?}"
        );
        assert!(PackContents::read(store, "sample").await.is_empty(), "{what}: something was stored");
        assert_eq!(store.list_packs(all()).await.unwrap().total, 0, "{what}");
    }
}

async fn a_broken_bundle_leaves_an_existing_pack_as_it_was(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    store.set_pack_config("sample", &json!({"channel": "alerts"})).await.unwrap();
    let before = PackContents::read(store, "sample").await;

    for (what, mut bundle) in broken_bundles("sample") {
        // Besides the broken part, the bundle changes, adds and removes components.
        let pack = bundle.pack.as_mut().unwrap();
        pack.version = "9.9.9".into();
        pack.config = json!({"channel": "ops", "added": true});
        bundle.actions[0].label = "Changed".into();
        bundle.triggers.push(trigger("sample.added"));
        bundle.sensors.clear();
        let result = store.register_pack(&bundle).await;
        assert!(
            matches!(result, Err(attune_store::StoreError::UnknownReference(_))),
            "{what}: expected an unknown reference, got {result:?}"
        );
        assert_eq!(PackContents::read(store, "sample").await, before, "{what}: the pack changed");
    }
}

async fn operator_configuration_survives_registration_and_new_keys_are_added(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    store.set_pack_config("sample", &json!({"channel": "alerts", "operator_only": 1})).await.unwrap();

    let mut bundle = sample_bundle("sample");
    bundle.pack.as_mut().unwrap().config = json!({"channel": "ops", "retries": 3});
    store.register_pack(&bundle).await.unwrap();

    let config = store.get_pack("sample").await.unwrap().config;
    assert_eq!(config, json!({"channel": "alerts", "operator_only": 1, "retries": 3}));
}

async fn a_component_ref_owned_elsewhere_is_a_conflict(store: &TestStore) {
    store.register_pack(&sample_bundle("alpha")).await.unwrap();
    store.upsert_permission_set(&permission_set("shared.admins")).await.unwrap();
    let alpha = PackContents::read(store, "alpha").await;
    let shared = store.get_permission_set("shared.admins").await.unwrap();

    let mut takes_a_trigger = empty_bundle("beta");
    takes_a_trigger.triggers.push(trigger("alpha.alert"));
    let mut takes_an_action = empty_bundle("beta");
    takes_an_action.actions.push(action("alpha.notify", RunnerType::Python));
    let mut takes_a_standalone_set = empty_bundle("beta");
    takes_a_standalone_set.permission_sets.push(permission_set("shared.admins"));
    for bundle in [takes_a_trigger, takes_an_action, takes_a_standalone_set] {
        assert_conflict(store.register_pack(&bundle).await);
        assert!(PackContents::read(store, "beta").await.is_empty());
    }
    assert_eq!(PackContents::read(store, "alpha").await, alpha);
    assert_eq!(store.get_permission_set("shared.admins").await.unwrap(), shared);
}
