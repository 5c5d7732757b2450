//! Webhooks.

use attune_domain::page::PageRequest;
use attune_domain::webhook::NewWebhook;

use crate::support::*;

conformance_tests!(creates_reads_lists_and_deletes_webhooks);

async fn creates_reads_lists_and_deletes_webhooks(store: &TestStore) {
    let new = |name: &str, secret: Option<&str>| NewWebhook {
        name: name.into(),
        description: Some(format!("{name} alerts")),
        secret: secret.map(str::to_owned),
        enabled: true,
    };
    let signed = store.create_webhook(&new("github", Some("v1:sealed"))).await.unwrap();
    assert!(signed.has_secret() && signed.enabled);
    store.create_webhook(&new("alerts", None)).await.unwrap();
    assert_conflict(store.create_webhook(&new("github", None)).await);

    assert_eq!(store.get_webhook("github").await.unwrap(), signed);
    let page = store.list_webhooks(PageRequest::new(1, 1)).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].name, "alerts", "ordered by name");

    store.delete_webhook("github").await.unwrap();
    assert_not_found(store.get_webhook("github").await);
    assert_not_found(store.delete_webhook("github").await);
}
