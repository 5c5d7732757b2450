//! The audit log.

use attune_domain::audit::NewAuditEntry;
use attune_domain::page::PageRequest;
use attune_store::AuditFilter;
use serde_json::json;

use crate::support::*;

conformance_tests!(entries_are_appended_in_order_and_listed_latest_first_by_any_filter);

async fn entries_are_appended_in_order_and_listed_latest_first_by_any_filter(store: &TestStore) {
    let entry = |login: &str, action: &str, resource: &str, outcome: &str| NewAuditEntry {
        actor: Some(1),
        actor_login: Some(login.into()),
        source: Some("127.0.0.1".into()),
        action: action.into(),
        resource_type: "rule".into(),
        resource_ref: Some(resource.into()),
        outcome: outcome.into(),
        status: Some(200),
        before: Some(json!({"enabled": true})),
        after: None,
        detail: None,
    };
    let first = store.append_audit(&entry("admin", "PUT /api/v1/rules/{rule_ref}", "a.one", "ok")).await.unwrap();
    assert_eq!((first.before, first.after), (Some(json!({"enabled": true})), None), "JSON and its absence round trip");
    let second = store.append_audit(&entry("eve", "PUT /api/v1/rules/{rule_ref}", "a.one", "refused")).await.unwrap();
    store.append_audit(&entry("admin", "DELETE /api/v1/rules/{rule_ref}", "a.two", "ok")).await.unwrap();
    assert!(second.id > first.id && second.at >= first.at);

    let all = store.list_audit(&AuditFilter::default(), PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(all.total, 3);
    let actions: Vec<&str> = all.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "DELETE /api/v1/rules/{rule_ref}", "the latest first");
    let list = |filter: AuditFilter| async move {
        store.list_audit(&filter, PageRequest::new(1, 10)).await.unwrap().items.iter().map(|e| e.id).collect::<Vec<_>>()
    };
    let by_eve = list(AuditFilter { actor_login: Some("eve".into()), ..Default::default() }).await;
    assert_eq!(by_eve, [second.id]);
    let refused = list(AuditFilter { outcome: Some("refused".into()), ..Default::default() }).await;
    assert_eq!(refused, [second.id]);
    let on_one = list(AuditFilter {
        resource_type: Some("rule".into()),
        resource_ref: Some("a.one".into()),
        ..Default::default()
    });
    assert_eq!(on_one.await, [second.id, first.id]);
    let puts = list(AuditFilter { action: Some("PUT /api/v1/rules/{rule_ref}".into()), ..Default::default() }).await;
    assert_eq!(puts.len(), 2);
    let later =
        list(AuditFilter { since: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(60)), ..Default::default() });
    assert!(later.await.is_empty());
    let earlier =
        list(AuditFilter { until: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(60)), ..Default::default() });
    assert_eq!(earlier.await.len(), 3);
}
