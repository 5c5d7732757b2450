//! Webhooks.

use attune_domain::page::PageRequest;
use attune_domain::webhook::NewWebhook;

use crate::support::*;

conformance_tests!(creates_reads_lists_and_deletes_webhooks, a_delivery_is_accepted_once_until_it_expires);

async fn creates_reads_lists_and_deletes_webhooks(store: &TestStore) {
    let new = |name: &str, secret: Option<&str>| NewWebhook {
        name: name.into(),
        description: Some(format!("{name} alerts")),
        secret: secret.map(str::to_owned),
        enabled: true,
        replay_window_s: secret.map(|_| 300),
    };
    let signed = store.create_webhook(&new("github", Some("v1:sealed"))).await.unwrap();
    assert!(signed.has_secret() && signed.enabled);
    store.create_webhook(&new("alerts", None)).await.unwrap();
    match store.create_webhook(&new("github", None)).await {
        // The field is named; the database's own text (and the value) is not shown.
        Err(attune_store::StoreError::Conflict(message)) => assert_eq!(message, "another webhook has the same name"),
        other => panic!("expected a conflict, got {other:?}"),
    }

    assert_eq!(store.get_webhook("github").await.unwrap(), signed);
    let page = store.list_webhooks(PageRequest::new(1, 1)).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].name, "alerts", "ordered by name");

    store.delete_webhook("github").await.unwrap();
    assert_not_found(store.get_webhook("github").await);
    assert_not_found(store.delete_webhook("github").await);
}

async fn a_delivery_is_accepted_once_until_it_expires(store: &TestStore) {
    let later = chrono::Utc::now() + chrono::TimeDelta::seconds(300);
    assert!(store.record_webhook_delivery("github", "sig-a", later).await.unwrap());
    assert!(!store.record_webhook_delivery("github", "sig-a", later).await.unwrap(), "a replay");
    assert!(store.record_webhook_delivery("gitlab", "sig-a", later).await.unwrap(), "per webhook");

    // Once its window has passed, a delivery is forgotten (its timestamp is refused anyway).
    let past = chrono::Utc::now() - chrono::TimeDelta::seconds(1);
    assert!(store.record_webhook_delivery("github", "sig-b", past).await.unwrap());
    assert!(store.record_webhook_delivery("github", "sig-b", later).await.unwrap(), "expired rows are purged");
}
