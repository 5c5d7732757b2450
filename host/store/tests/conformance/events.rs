//! Events (trigger firings) and enforcements (a rule's handling of one event).

use attune_domain::status::{EnforcementCondition, EnforcementStatus};
use attune_store::{EnforcementFilter, EventFilter};

use crate::support::*;

conformance_tests!(
    records_an_event_linked_to_its_trigger_and_sensor,
    lists_events_newest_first_with_every_filter,
    deletes_an_event,
    records_an_enforcement_linked_to_its_rule_and_event,
    updates_an_enforcement_status_and_reason,
    enforcements_of_unknown_events_are_refused,
    lists_enforcements_newest_first_with_every_filter,
    records_when_an_event_was_processed,
    a_rule_enforces_an_event_once,
);

async fn records_an_event_linked_to_its_trigger_and_sensor(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let declared = new_event("sample.alert", Some("sample.watcher"));
    let event = store.create_event(&declared).await.unwrap();
    assert_eq!(event.trigger, Some(store.get_trigger("sample.alert").await.unwrap().id));
    assert_eq!(event.source, Some(store.get_sensor("sample.watcher").await.unwrap().id));
    assert_eq!((event.trigger_ref.as_str(), event.source_ref.as_deref()), ("sample.alert", Some("sample.watcher")));
    assert_eq!((event.config.clone(), event.payload.clone()), (declared.config, declared.payload));
    assert_eq!(event.created, event.updated);
    assert_eq!(store.get_event(event.id).await.unwrap(), event);

    let webhook = store.create_event(&new_event("sample.tick", None)).await.unwrap();
    assert_eq!((webhook.source, webhook.source_ref), (None, None));
}

async fn lists_events_newest_first_with_every_filter(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let first = store.create_event(&new_event("sample.alert", Some("sample.watcher"))).await.unwrap();
    let second = store.create_event(&new_event("sample.tick", None)).await.unwrap();
    let third = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    assert!(first.created < second.created, "the `since` check needs distinct creation times");
    let list = async |filter: EventFilter| {
        let page = store.list_events(&filter, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |e| e.id)
    };

    assert_eq!(list(EventFilter::default()).await, [third.id, second.id, first.id]);
    let of_alert = EventFilter { trigger_ref: Some("sample.alert".into()), ..EventFilter::default() };
    assert_eq!(list(of_alert).await, [third.id, first.id]);
    let from_watcher = EventFilter { source_ref: Some("sample.watcher".into()), ..EventFilter::default() };
    assert_eq!(list(from_watcher).await, [first.id]);
    let since = EventFilter { since: Some(second.created), ..EventFilter::default() };
    assert_eq!(list(since).await, [third.id, second.id]);
    let every_filter = EventFilter {
        trigger_ref: Some("sample.alert".into()),
        source_ref: Some("sample.watcher".into()),
        since: Some(first.created),
    };
    assert_eq!(list(every_filter).await, [first.id]);

    let second_page = store.list_events(&EventFilter::default(), page(2, 2)).await.unwrap();
    assert_eq!((second_page.total, ids(&second_page.items, |e| e.id)), (3, vec![first.id]));
}

async fn deletes_an_event(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    store.delete_event(event.id).await.unwrap();
    assert_not_found(store.get_event(event.id).await);
    assert_not_found(store.delete_event(event.id).await);
}

async fn records_an_enforcement_linked_to_its_rule_and_event(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let mut declared = new_enforcement("sample.on_alert", "sample.alert", Some(event.id));
    declared.condition = EnforcementCondition::Any;

    let enforcement = store.create_enforcement(&declared).await.unwrap();
    assert_eq!(enforcement.rule, Some(store.get_rule("sample.on_alert").await.unwrap().id));
    assert_eq!((enforcement.rule_ref.as_str(), enforcement.trigger_ref.as_str()), ("sample.on_alert", "sample.alert"));
    assert_eq!((enforcement.event, enforcement.status), (Some(event.id), EnforcementStatus::Created));
    assert_eq!((enforcement.config.clone(), enforcement.payload.clone()), (declared.config, declared.payload));
    assert_eq!((enforcement.condition, enforcement.criteria.clone()), (EnforcementCondition::Any, declared.criteria));
    assert_eq!(enforcement.reason, None);
    assert_eq!(store.get_enforcement(enforcement.id).await.unwrap(), enforcement);
    assert_not_found(store.get_enforcement(enforcement.id + 1).await);
}

async fn updates_an_enforcement_status_and_reason(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let created = store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", None)).await.unwrap();
    let failed = store
        .update_enforcement(created.id, EnforcementStatus::Processed, Some("template error in `text`"))
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.reason.as_deref()),
        (EnforcementStatus::Processed, Some("template error in `text`"))
    );
    assert_eq!((failed.id, failed.payload.clone(), failed.created), (created.id, created.payload, created.created));
    assert!(failed.updated >= created.updated);
    let cleared = store.update_enforcement(created.id, EnforcementStatus::Disabled, None).await.unwrap();
    assert_eq!((cleared.status, cleared.reason.as_deref()), (EnforcementStatus::Disabled, None));
    assert_eq!(store.get_enforcement(created.id).await.unwrap(), cleared);
    assert_not_found(store.update_enforcement(created.id + 1, EnforcementStatus::Processed, None).await);
}

async fn enforcements_of_unknown_events_are_refused(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let orphan = new_enforcement("sample.on_alert", "sample.alert", Some(i64::MAX));
    assert_unknown_reference(store.create_enforcement(&orphan).await);
    assert_eq!(store.list_enforcements(&EnforcementFilter::default(), all()).await.unwrap().total, 0);
}

async fn lists_enforcements_newest_first_with_every_filter(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let alert = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let tick = store.create_event(&new_event("sample.tick", None)).await.unwrap();
    // A rule enforces an event once: its second enforcement is of another event.
    let alert_again = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let create = async |rule_ref: &str, trigger_ref: &str, event: i64| {
        store.create_enforcement(&new_enforcement(rule_ref, trigger_ref, Some(event))).await.unwrap()
    };
    let first = create("sample.on_alert", "sample.alert", alert.id).await;
    let second = create("sample.on_tick", "sample.tick", tick.id).await;
    let third = create("sample.on_alert", "sample.alert", alert_again.id).await;
    store.update_enforcement(third.id, EnforcementStatus::Processed, None).await.unwrap();
    assert!(first.created < second.created, "the `since` check needs distinct creation times");
    let list = async |filter: EnforcementFilter| {
        let page = store.list_enforcements(&filter, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |e| e.id)
    };

    assert_eq!(list(EnforcementFilter::default()).await, [third.id, second.id, first.id]);
    let of_rule = EnforcementFilter { rule_ref: Some("sample.on_alert".into()), ..EnforcementFilter::default() };
    assert_eq!(list(of_rule).await, [third.id, first.id]);
    let of_event = EnforcementFilter { event: Some(tick.id), ..EnforcementFilter::default() };
    assert_eq!(list(of_event).await, [second.id]);
    let created = EnforcementFilter { status: Some(EnforcementStatus::Created), ..EnforcementFilter::default() };
    assert_eq!(list(created).await, [second.id, first.id]);
    let since = EnforcementFilter { since: Some(second.created), ..EnforcementFilter::default() };
    assert_eq!(list(since).await, [third.id, second.id]);
    let every_filter = EnforcementFilter {
        rule_ref: Some("sample.on_alert".into()),
        event: Some(alert_again.id),
        status: Some(EnforcementStatus::Processed),
        since: Some(first.created),
    };
    assert_eq!(list(every_filter).await, [third.id]);

    let first_page = store.list_enforcements(&EnforcementFilter::default(), page(1, 2)).await.unwrap();
    assert_eq!((first_page.total, ids(&first_page.items, |e| e.id)), (3, vec![third.id, second.id]));
}

async fn records_when_an_event_was_processed(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let first = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let second = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    assert_eq!(first.processed, None);
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    let pending: Vec<_> = store.list_unprocessed_events(later, 10).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(pending, vec![first.id, second.id], "oldest first");
    assert!(store.list_unprocessed_events(first.created, 10).await.unwrap().is_empty(), "only events created before");

    store.mark_event_processed(first.id).await.unwrap();
    assert!(store.get_event(first.id).await.unwrap().processed.is_some());
    let pending: Vec<_> = store.list_unprocessed_events(later, 10).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(pending, vec![second.id]);
    assert_eq!(store.list_unprocessed_events(later, 0).await.unwrap().len(), 0);
    assert_not_found(store.mark_event_processed(999_999).await);
}

async fn a_rule_enforces_an_event_once(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await.unwrap();
    let again = store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await;
    assert_conflict(again);
    // Other rules, and enforcements without an event, are unaffected.
    store.create_enforcement(&new_enforcement("sample.on_tick", "sample.alert", Some(event.id))).await.unwrap();
    store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", None)).await.unwrap();
    store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", None)).await.unwrap();
}
