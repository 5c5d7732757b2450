//! Packs and the components they own: registering, reading, listing, configuring, deleting.

use attune_domain::status::{PolicyType, RunnerType};
use attune_store::ComponentFilter;
use serde_json::json;

use crate::support::*;

conformance_tests!(
    registers_a_pack_with_every_component_kind,
    reads_a_pack_by_ref_and_by_id,
    lists_packs_in_ref_order_page_by_page,
    orders_refs_bytewise_whatever_the_server_collation,
    lists_components_of_one_pack,
    lists_components_page_by_page,
    lists_policies_of_one_action,
    replaces_a_pack_configuration,
    deletes_a_pack,
    missing_packs_and_components_are_not_found,
    records_a_sensors_status,
    keeps_each_archived_version_once,
);

fn of_pack(pack_ref: &str) -> ComponentFilter {
    ComponentFilter { pack: Some(pack_ref.to_owned()) }
}

async fn registers_a_pack_with_every_component_kind(store: &TestStore) {
    let bundle = sample_bundle("sample");
    let summary = store.register_pack(&bundle).await.unwrap();
    assert_eq!((summary.created, summary.updated, summary.deleted), (SAMPLE_COMPONENTS, 0, 0));
    let pack = store.get_pack("sample").await.unwrap();
    assert_eq!(summary.pack_id, pack.id);

    let notify = store.get_action("sample.notify").await.unwrap();
    let declared = &bundle.actions[0];
    assert_eq!((notify.pack, notify.pack_ref.as_str()), (pack.id, "sample"));
    assert_eq!(notify.label, declared.label);
    assert_eq!(notify.runner_type, RunnerType::Shell);
    assert_eq!(notify.entry_point, declared.entry_point);
    assert_eq!(notify.param_schema, declared.param_schema);
    assert_eq!(notify.output_schema, declared.output_schema);
    assert_eq!(notify.timeout_s, Some(30));
    assert_eq!(notify.limits, declared.limits);
    assert_eq!(notify.secrets, ["slack_token"]);
    assert_eq!(notify.allowed_hosts, ["api.example.com"]);
    assert_eq!(notify.workflow_def, None);
    assert_eq!(store.get_action_by_id(notify.id).await.unwrap(), notify);

    let alert = store.get_trigger("sample.alert").await.unwrap();
    assert_eq!((alert.pack, alert.enabled), (pack.id, true));
    assert_eq!(alert.param_schema, bundle.triggers[0].param_schema);

    let watcher = store.get_sensor("sample.watcher").await.unwrap();
    assert_eq!(watcher.trigger_types, ["sample.alert"]);
    assert_eq!((watcher.poll_interval_s, watcher.config), (Some(5), json!({"interval": 5})));

    let on_alert = store.get_rule("sample.on_alert").await.unwrap();
    assert_eq!(on_alert.trigger, Some(alert.id));
    assert_eq!(on_alert.action, Some(notify.id));
    assert_eq!(on_alert.criteria, bundle.rules[0].criteria);
    assert!(!store.get_rule("sample.on_tick").await.unwrap().enabled);

    let one_notify = store.get_policy("sample.one_notify").await.unwrap();
    assert_eq!((one_notify.action, one_notify.policy_type), (Some(notify.id), PolicyType::Concurrency));
    assert_eq!((one_notify.threshold, one_notify.parameters), (1, vec!["host".to_owned()]));

    let deploy = store.get_workflow_definition("sample.deploy").await.unwrap();
    assert_eq!(deploy.definition, bundle.workflows[0].definition);
    let deploy_action = store.get_action("sample.deploy").await.unwrap();
    assert_eq!(deploy_action.runner_type, RunnerType::Workflow);
    assert_eq!(deploy_action.workflow_def, Some(deploy.id));

    let operators = store.get_permission_set("sample.operators").await.unwrap();
    assert_eq!((operators.pack, operators.pack_ref.as_deref()), (Some(pack.id), Some("sample")));
    assert_eq!(operators.grants, [grant("action:view,execute")]);
}

async fn reads_a_pack_by_ref_and_by_id(store: &TestStore) {
    let before = now();
    store.register_pack(&empty_bundle("sample")).await.unwrap();
    let pack = store.get_pack("sample").await.unwrap();
    let declared = new_pack("sample");
    assert_eq!(pack.r#ref, declared.r#ref);
    assert_eq!((pack.label, pack.description), (declared.label, declared.description));
    assert_eq!((pack.version, pack.author), (declared.version, declared.author));
    assert_eq!((pack.config_schema, pack.config), (declared.config_schema, declared.config));
    assert_eq!((pack.runtime_deps, pack.tags), (declared.runtime_deps, declared.tags));
    assert_eq!((pack.is_standard, pack.path), (declared.is_standard, declared.path));
    assert!(pack.created >= before && pack.updated == pack.created);
    assert_eq!(store.get_pack_by_id(pack.id).await.unwrap().r#ref, "sample");
}

async fn lists_packs_in_ref_order_page_by_page(store: &TestStore) {
    for pack_ref in ["charlie", "alpha", "delta", "bravo", "echo"] {
        store.register_pack(&empty_bundle(pack_ref)).await.unwrap();
    }
    let first = store.list_packs(page(1, 2)).await.unwrap();
    assert_eq!(refs!(first), ["alpha", "bravo"]);
    assert_eq!((first.total, first.request), (5, page(1, 2)));
    assert_eq!(refs!(store.list_packs(page(2, 2)).await.unwrap()), ["charlie", "delta"]);
    assert_eq!(refs!(store.list_packs(page(3, 2)).await.unwrap()), ["echo"]);
    let beyond = store.list_packs(page(4, 2)).await.unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 5);
}

async fn orders_refs_bytewise_whatever_the_server_collation(store: &TestStore) {
    // Refs sort by code point on every backend: '-' < '.' < digits < '_' < letters.
    for pack_ref in ["core_x", "core-y", "core9", "core"] {
        let mut bundle = empty_bundle(pack_ref);
        bundle.actions.push(action(&format!("{pack_ref}.echo"), RunnerType::Shell));
        store.register_pack(&bundle).await.unwrap();
    }
    assert_eq!(refs!(store.list_packs(all()).await.unwrap()), ["core", "core-y", "core9", "core_x"]);
    let actions = store.list_actions(&ComponentFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(actions), ["core-y.echo", "core.echo", "core9.echo", "core_x.echo"]);
}

async fn lists_components_of_one_pack(store: &TestStore) {
    store.register_pack(&sample_bundle("beta")).await.unwrap();
    store.register_pack(&sample_bundle("alpha")).await.unwrap();

    let actions = store.list_actions(&of_pack("alpha"), all()).await.unwrap();
    assert_eq!(refs!(actions), ["alpha.deploy", "alpha.fetch", "alpha.notify"]);
    assert_eq!(actions.total, 3);
    let every_action = store.list_actions(&ComponentFilter::default(), all()).await.unwrap();
    assert_eq!(every_action.total, 6);
    assert_eq!(refs!(every_action)[..4], ["alpha.deploy", "alpha.fetch", "alpha.notify", "beta.deploy"]);

    let triggers = store.list_triggers(&of_pack("beta"), all()).await.unwrap();
    assert_eq!(refs!(triggers), ["beta.alert", "beta.tick"]);
    assert_eq!(store.list_triggers(&ComponentFilter::default(), all()).await.unwrap().total, 4);

    let sensors = store.list_sensors(&of_pack("alpha"), all()).await.unwrap();
    assert_eq!(refs!(sensors), ["alpha.watcher"]);
    assert_eq!(store.list_sensors(&ComponentFilter::default(), all()).await.unwrap().total, 2);

    let workflows = store.list_workflow_definitions(&of_pack("beta"), all()).await.unwrap();
    assert_eq!(refs!(workflows), ["beta.deploy"]);
    let every_workflow = store.list_workflow_definitions(&ComponentFilter::default(), all()).await;
    assert_eq!(every_workflow.unwrap().total, 2);

    let nothing = store.list_actions(&of_pack("gamma"), all()).await.unwrap();
    assert!(nothing.items.is_empty());
    assert_eq!(nothing.total, 0);
}

async fn lists_components_page_by_page(store: &TestStore) {
    let mut bundle = empty_bundle("sample");
    for name in ["e", "c", "a", "d", "b"] {
        bundle.actions.push(action(&format!("sample.{name}"), RunnerType::Python));
        bundle.triggers.push(trigger(&format!("sample.{name}")));
    }
    store.register_pack(&bundle).await.unwrap();

    let second = store.list_actions(&of_pack("sample"), page(2, 2)).await.unwrap();
    assert_eq!(refs!(second), ["sample.c", "sample.d"]);
    assert_eq!((second.total, second.request), (5, page(2, 2)));
    let last = store.list_triggers(&ComponentFilter::default(), page(3, 2)).await.unwrap();
    assert_eq!(refs!(last), ["sample.e"]);
    assert_eq!(last.total, 5);
}

async fn lists_policies_of_one_action(store: &TestStore) {
    let mut bundle = sample_bundle("sample");
    bundle.policies.push(policy("sample.a_fetch_limit", "sample.fetch"));
    bundle.policies.push(policy("sample.z_notify_limit", "sample.notify"));
    store.register_pack(&bundle).await.unwrap();

    let of_notify = store.list_policies(Some("sample.notify"), all()).await.unwrap();
    assert_eq!(refs!(of_notify), ["sample.one_notify", "sample.z_notify_limit"]);
    assert_eq!(of_notify.total, 2);
    let every_policy = store.list_policies(None, page(1, 2)).await.unwrap();
    assert_eq!(refs!(every_policy), ["sample.a_fetch_limit", "sample.one_notify"]);
    assert_eq!(every_policy.total, 3);
    assert_eq!(store.list_policies(Some("sample.deploy"), all()).await.unwrap().total, 0);
}

async fn replaces_a_pack_configuration(store: &TestStore) {
    store.register_pack(&empty_bundle("sample")).await.unwrap();
    let registered = store.get_pack("sample").await.unwrap();
    let config = json!({"channel": "alerts", "retries": 3});

    let configured = store.set_pack_config("sample", &config).await.unwrap();
    assert_eq!(configured.config, config);
    assert!(configured.updated >= registered.updated);
    assert_eq!(configured.created, registered.created);
    assert_eq!(store.get_pack("sample").await.unwrap(), configured);

    assert_not_found(store.set_pack_config("missing", &config).await);
}

async fn deletes_a_pack(store: &TestStore) {
    store.register_pack(&sample_bundle("doomed")).await.unwrap();
    store.register_pack(&sample_bundle("kept")).await.unwrap();
    let kept = PackContents::read(store, "kept").await;

    store.delete_pack("doomed").await.unwrap();
    assert!(PackContents::read(store, "doomed").await.is_empty());
    assert_eq!(PackContents::read(store, "kept").await, kept);
    assert_eq!(refs!(store.list_packs(all()).await.unwrap()), ["kept"]);
    assert_not_found(store.delete_pack("doomed").await);
}

/// A bundle of `pack_ref` at `version` carrying an archive of `content`.
fn archived(pack_ref: &str, version: &str, content: &[u8]) -> attune_domain::pack::PackBundle {
    let mut bundle = empty_bundle(pack_ref);
    if let Some(pack) = bundle.pack.as_mut() {
        pack.version = version.into();
    }
    bundle.archive = Some(attune_domain::pack::NewPackArchive {
        digest: format!("sha256:{}", hex_of(content)),
        manifest: json!({"files": []}),
        content: content.to_vec(),
        installed_by: Some("admin".into()),
    });
    bundle
}

fn hex_of(content: &[u8]) -> String {
    // Not a real digest: distinct contents give distinct names, which is all a test needs.
    content.iter().map(|b| format!("{b:02x}")).collect::<String>() + &"0".repeat(64 - 2 * content.len())
}

async fn keeps_each_archived_version_once(store: &TestStore) {
    let one = archived("shipped", "1.0.0", b"one");
    store.register_pack(&one).await.unwrap();
    store.register_pack(&archived("shipped", "2.0.0", b"two")).await.unwrap();
    let digest_one = one.archive.as_ref().unwrap().digest.clone();
    assert_ne!(store.get_pack("shipped").await.unwrap().archive_digest, Some(digest_one.clone()));

    let versions = store.list_pack_versions("shipped").await.unwrap();
    let listed: Vec<(&str, i64)> = versions.iter().map(|v| (v.version.as_str(), v.size)).collect();
    assert_eq!(listed, [("2.0.0", 3), ("1.0.0", 3)], "newest first");
    let (kept, bytes) = store.get_pack_version("shipped", "1.0.0").await.unwrap();
    assert_eq!((kept.digest.as_str(), bytes.as_slice()), (digest_one.as_str(), &b"one"[..]));
    assert_eq!(store.get_pack_archive(&digest_one).await.unwrap(), b"one");

    // Installing a kept version again is the same archive: fine, and the pack names it.
    store.register_pack(&one).await.unwrap();
    assert_eq!(store.get_pack("shipped").await.unwrap().archive_digest, Some(digest_one));
    assert_eq!(store.list_pack_versions("shipped").await.unwrap().len(), 2);

    // The same version from another archive is refused, and nothing of it is stored.
    let error = store.register_pack(&archived("shipped", "1.0.0", b"evil")).await.unwrap_err();
    assert!(matches!(error, attune_store::StoreError::Conflict(_)), "{error:?}");
    assert_eq!(store.list_pack_versions("shipped").await.unwrap().len(), 2);
    assert_not_found(store.get_pack_version("shipped", "3.0.0").await.map(|_| ()));

    // Registered from a directory again: no archive behind it any more.
    store.register_pack(&empty_bundle("shipped")).await.unwrap();
    assert_eq!(store.get_pack("shipped").await.unwrap().archive_digest, None);
}

async fn missing_packs_and_components_are_not_found(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_not_found(store.get_pack("other").await);
    assert_not_found(store.get_pack_by_id(i64::MAX).await);
    assert_not_found(store.delete_pack("other").await);
    assert_not_found(store.get_action("sample.other").await);
    assert_not_found(store.get_action_by_id(i64::MAX).await);
    assert_not_found(store.get_trigger("sample.other").await);
    assert_not_found(store.get_sensor("sample.other").await);
    assert_not_found(store.get_rule("sample.other").await);
    assert_not_found(store.get_policy("sample.other").await);
    assert_not_found(store.get_workflow_definition("sample.other").await);
    assert_not_found(store.get_permission_set("sample.other").await);
}

async fn records_a_sensors_status(store: &TestStore) {
    use attune_domain::status::SensorStatus;
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let sensor = store.get_sensor("sample.watcher").await.unwrap();
    assert_eq!(
        (sensor.status, sensor.status_detail.clone(), sensor.status_updated),
        (SensorStatus::Stopped, None, None)
    );
    store
        .set_sensor_status("sample.watcher", SensorStatus::Failing, Some("exited with 1; restart in 2s"))
        .await
        .unwrap();
    let failing = store.get_sensor("sample.watcher").await.unwrap();
    assert_eq!(failing.status, SensorStatus::Failing);
    assert_eq!(failing.status_detail.as_deref(), Some("exited with 1; restart in 2s"));
    assert!(failing.status_updated.is_some());
    // Re-registering the pack keeps the running state.
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_eq!(store.get_sensor("sample.watcher").await.unwrap().status, SensorStatus::Failing);
    assert_not_found(store.set_sensor_status("sample.nope", SensorStatus::Running, None).await);
}
