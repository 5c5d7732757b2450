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
                let changing = self.changing();
                Ok(sqlx::query_as(
                    "INSERT INTO webhook (name, description, secret, enabled, replay_window_s, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *",
                )
                .bind(&webhook.name)
                .bind(&webhook.description)
                .bind(&webhook.secret)
                .bind(webhook.enabled)
                .bind(webhook.replay_window_s)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool(&changing))
                .await?)
            }

            async fn get_webhook(&self, name: &str) -> $crate::StoreResult<attune_domain::webhook::Webhook> {
                $crate::sql::memoized!(
                    self,
                    webhooks,
                    name.to_owned(),
                    $crate::sql::fetch_one_by!(
                        self.read_pool(),
                        attune_domain::webhook::Webhook,
                        "SELECT * FROM webhook WHERE name = $1",
                        "webhook",
                        name.to_owned()
                    )
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
                let changing = self.changing();
                $crate::sql::delete_by!(
                    self.write_pool(&changing),
                    "DELETE FROM webhook WHERE name = $1",
                    "webhook",
                    name.to_owned()
                )
            }

            async fn record_webhook_delivery(
                &self,
                webhook: &str,
                signature: &str,
                expires_at: attune_domain::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                sqlx::query("DELETE FROM webhook_delivery WHERE expires_at <= $1")
                    .bind($crate::sql::now())
                    .execute(&mut *tx)
                    .await?;
                let done = sqlx::query(
                    "INSERT INTO webhook_delivery (webhook, signature, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (webhook, signature) DO NOTHING",
                )
                .bind(webhook)
                .bind(signature)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
pub(crate) use impl_webhook_store;
