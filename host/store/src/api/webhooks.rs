//! Webhooks.

use async_trait::async_trait;
use attune_domain::Timestamp;
use attune_domain::page::{Page, PageRequest};
use attune_domain::webhook::{NewWebhook, Webhook};

use crate::StoreResult;

/// Named webhook endpoints.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Registers a webhook (a conflict when the name is taken).
    async fn create_webhook(&self, webhook: &NewWebhook) -> StoreResult<Webhook>;
    /// A webhook by name.
    async fn get_webhook(&self, name: &str) -> StoreResult<Webhook>;
    /// Webhooks, ordered by name.
    async fn list_webhooks(&self, page: PageRequest) -> StoreResult<Page<Webhook>>;
    /// Deletes a webhook.
    async fn delete_webhook(&self, name: &str) -> StoreResult<()>;
    /// Records that a post to `webhook` with `signature` was accepted, to be remembered
    /// until `expires_at`; `false` when that signature was already recorded (a replay).
    /// Forgets the deliveries whose time has passed.
    async fn record_webhook_delivery(&self, webhook: &str, signature: &str, expires_at: Timestamp)
    -> StoreResult<bool>;
}
