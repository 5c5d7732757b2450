//! Rules outside pack registration: created, changed, enabled, disabled and deleted one by
//! one, and listed with every filter.

use attune_store::RuleFilter;
use serde_json::json;

use crate::support::*;

conformance_tests!(
    creates_a_rule_in_an_existing_pack,
    a_rule_ref_already_taken_is_a_conflict,
    rules_naming_unknown_triggers_actions_or_packs_are_refused,
    updates_a_rule_keeping_its_id,
    a_refused_update_leaves_the_rule_as_it_was,
    enables_and_disables_a_rule,
    deletes_a_rule,
    lists_rules_with_every_filter,
    lists_every_rule_on_a_trigger_enabled_or_not,
);

async fn creates_a_rule_in_an_existing_pack(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut declared = rule("sample.on_tick_notify", "sample.tick", "sample.notify");
    declared.description = Some("Tell someone every tick".into());
    declared.trigger_params = json!({"unit": "seconds", "delta": 30});

    let created = store.create_rule(&declared).await.unwrap();
    let pack = store.get_pack("sample").await.unwrap();
    assert_eq!(created.r#ref, "sample.on_tick_notify");
    assert_eq!((created.pack, created.pack_ref.as_str()), (pack.id, "sample"));
    assert_eq!((&created.label, &created.description), (&declared.label, &declared.description));
    assert_eq!(created.trigger, Some(store.get_trigger("sample.tick").await.unwrap().id));
    assert_eq!(created.action, Some(store.get_action("sample.notify").await.unwrap().id));
    assert_eq!((created.trigger_ref.as_str(), created.action_ref.as_str()), ("sample.tick", "sample.notify"));
    assert_eq!(created.trigger_params, declared.trigger_params);
    assert_eq!((created.criteria.clone(), created.action_params.clone()), (declared.criteria, declared.action_params));
    assert!(created.enabled);
    assert_eq!(store.get_rule("sample.on_tick_notify").await.unwrap(), created);
}

async fn a_rule_ref_already_taken_is_a_conflict(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let existing = store.get_rule("sample.on_alert").await.unwrap();
    assert_conflict(store.create_rule(&rule("sample.on_alert", "sample.tick", "sample.fetch")).await);
    assert_eq!(store.get_rule("sample.on_alert").await.unwrap(), existing);
}

async fn rules_naming_unknown_triggers_actions_or_packs_are_refused(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_unknown_reference(store.create_rule(&rule("sample.r1", "sample.missing", "sample.notify")).await);
    assert_unknown_reference(store.create_rule(&rule("sample.r2", "sample.alert", "sample.missing")).await);
    assert_unknown_reference(store.create_rule(&rule("other.r3", "sample.alert", "sample.notify")).await);
    assert_unknown_reference(store.create_rule(&rule("unqualified", "sample.alert", "sample.notify")).await);
    let rules = store.list_rules(&RuleFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(rules), ["sample.on_alert", "sample.on_tick"]);
}

async fn updates_a_rule_keeping_its_id(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let before = store.get_rule("sample.on_alert").await.unwrap();
    let mut changed = rule("ignored.ref", "sample.tick", "sample.fetch");
    changed.label = "Fetch on every tick".into();
    changed.criteria = json!({});
    changed.action_params = json!({"url": "https://example.com"});
    changed.enabled = false;

    let updated = store.update_rule("sample.on_alert", &changed).await.unwrap();
    assert_eq!((updated.id, updated.r#ref.as_str()), (before.id, "sample.on_alert"));
    assert_eq!((updated.pack, updated.created), (before.pack, before.created));
    assert_eq!(updated.label, "Fetch on every tick");
    assert_eq!(updated.trigger, Some(store.get_trigger("sample.tick").await.unwrap().id));
    assert_eq!(updated.action, Some(store.get_action("sample.fetch").await.unwrap().id));
    assert_eq!((updated.trigger_ref.as_str(), updated.action_ref.as_str()), ("sample.tick", "sample.fetch"));
    assert_eq!((&updated.criteria, &updated.action_params), (&json!({}), &changed.action_params));
    assert!(!updated.enabled);
    assert!(updated.updated >= before.updated);
    assert_eq!(store.get_rule("sample.on_alert").await.unwrap(), updated);

    assert_not_found(store.update_rule("sample.missing", &changed).await);
}

async fn a_refused_update_leaves_the_rule_as_it_was(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let before = store.get_rule("sample.on_alert").await.unwrap();
    let unknown_action = rule("sample.on_alert", "sample.alert", "sample.missing");
    assert_unknown_reference(store.update_rule("sample.on_alert", &unknown_action).await);
    let unknown_trigger = rule("sample.on_alert", "sample.missing", "sample.notify");
    assert_unknown_reference(store.update_rule("sample.on_alert", &unknown_trigger).await);
    assert_eq!(store.get_rule("sample.on_alert").await.unwrap(), before);
}

async fn enables_and_disables_a_rule(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let disabled = store.set_rule_enabled("sample.on_alert", false).await.unwrap();
    assert!(!disabled.enabled);
    assert!(!store.get_rule("sample.on_alert").await.unwrap().enabled);
    let enabled = store.set_rule_enabled("sample.on_alert", true).await.unwrap();
    assert!(enabled.enabled);
    assert_eq!(enabled.id, disabled.id);
    assert!(store.get_rule("sample.on_alert").await.unwrap().enabled);
    assert_not_found(store.set_rule_enabled("sample.missing", true).await);
}

async fn deletes_a_rule(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    store.delete_rule("sample.on_alert").await.unwrap();
    assert_not_found(store.get_rule("sample.on_alert").await);
    assert_not_found(store.delete_rule("sample.on_alert").await);
    let rules = store.list_rules(&RuleFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(rules), ["sample.on_tick"]);
    // The rule's trigger and action are not the rule's to take along.
    store.get_trigger("sample.alert").await.unwrap();
    store.get_action("sample.notify").await.unwrap();
}

async fn lists_rules_with_every_filter(store: &TestStore) {
    store.register_pack(&sample_bundle("alpha")).await.unwrap();
    store.register_pack(&sample_bundle("beta")).await.unwrap();
    // A rule of beta on alpha's trigger.
    store.create_rule(&rule("beta.on_alpha_alert", "alpha.alert", "beta.fetch")).await.unwrap();
    let list = async |filter: RuleFilter| refs!(store.list_rules(&filter, all()).await.unwrap());

    let of_beta = RuleFilter { pack: Some("beta".into()), ..RuleFilter::default() };
    assert_eq!(list(of_beta).await, ["beta.on_alert", "beta.on_alpha_alert", "beta.on_tick"]);
    let on_alpha_alert = RuleFilter { trigger_ref: Some("alpha.alert".into()), ..RuleFilter::default() };
    assert_eq!(list(on_alpha_alert).await, ["alpha.on_alert", "beta.on_alpha_alert"]);
    let running_beta_fetch = RuleFilter { action_ref: Some("beta.fetch".into()), ..RuleFilter::default() };
    assert_eq!(list(running_beta_fetch).await, ["beta.on_alpha_alert", "beta.on_tick"]);
    let disabled = RuleFilter { enabled: Some(false), ..RuleFilter::default() };
    assert_eq!(list(disabled).await, ["alpha.on_tick", "beta.on_tick"]);
    let enabled_of_alpha = RuleFilter { pack: Some("alpha".into()), enabled: Some(true), ..RuleFilter::default() };
    assert_eq!(list(enabled_of_alpha).await, ["alpha.on_alert"]);
    let every_filter = RuleFilter {
        pack: Some("beta".into()),
        trigger_ref: Some("alpha.alert".into()),
        action_ref: Some("beta.fetch".into()),
        enabled: Some(true),
    };
    assert_eq!(list(every_filter).await, ["beta.on_alpha_alert"]);

    let second = store.list_rules(&RuleFilter::default(), page(2, 2)).await.unwrap();
    assert_eq!(refs!(second), ["beta.on_alert", "beta.on_alpha_alert"]);
    assert_eq!((second.total, second.request), (5, page(2, 2)));
}

async fn lists_every_rule_on_a_trigger_enabled_or_not(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    store.register_pack(&sample_bundle("other")).await.unwrap();
    store.create_rule(&rule("sample.another_on_tick", "sample.tick", "sample.notify")).await.unwrap();
    let on_tick: Vec<String> =
        store.rules_on_trigger("sample.tick").await.unwrap().into_iter().map(|rule| rule.r#ref).collect();
    // The disabled one too, and none on another pack's trigger of the same name.
    assert_eq!(on_tick, ["sample.another_on_tick", "sample.on_tick"]);
    assert!(store.rules_on_trigger("sample.nothing").await.unwrap().is_empty());
}
