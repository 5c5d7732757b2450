//! SQL for [`crate::WebhookStore`].

/// Implements [`crate::WebhookStore`] for a backend.
macro_rules! impl_webhook_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::WebhookStore for $store {
            async fn create_webhook(
                &self,
                webhook: &attune_domain::webhook::NewWebhook,
            ) -> $crate::StoreResult<attune_domain::webhook::Webhook> {
                Ok(sqlx::query_as(
                    "INSERT INTO webhook (name, description, secret, enabled, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING *",
                )
                .bind(&webhook.name)
                .bind(&webhook.description)
                .bind(&webhook.secret)
                .bind(webhook.enabled)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool())
                .await?)
            }

            async fn get_webhook(&self, name: &str) -> $crate::StoreResult<attune_domain::webhook::Webhook> {
                $crate::sql::fetch_one_by!(
                    self.read_pool(),
                    attune_domain::webhook::Webhook,
                    "SELECT * FROM webhook WHERE name = $1",
                    "webhook",
                    name.to_owned()
                )
            }

            async fn list_webhooks(
                &self,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::webhook::Webhook>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::webhook::Webhook,
                    "webhook",
                    "name",
                    page,
                    |qb| {}
                ))
            }

            async fn delete_webhook(&self, name: &str) -> $crate::StoreResult<()> {
                $crate::sql::delete_by!(
                    self.write_pool(),
                    "DELETE FROM webhook WHERE name = $1",
                    "webhook",
                    name.to_owned()
                )
            }
        }
    };
}
pub(crate) use impl_webhook_store;
