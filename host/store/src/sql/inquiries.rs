//! SQL for [`crate::InquiryStore`].

/// Implements [`crate::InquiryStore`] for a backend.
macro_rules! impl_inquiry_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::InquiryStore for $store {
            async fn create_inquiry(
                &self,
                inquiry: &attune_domain::inquiry::NewInquiry,
            ) -> $crate::StoreResult<attune_domain::inquiry::Inquiry> {
                Ok(sqlx::query_as(
                    "INSERT INTO inquiry (execution, prompt, response_schema, assigned_to, status, timeout_at, \
                     created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *",
                )
                .bind(inquiry.execution)
                .bind(&inquiry.prompt)
                .bind(&inquiry.response_schema)
                .bind(inquiry.assigned_to)
                .bind(attune_domain::status::InquiryStatus::Pending)
                .bind(inquiry.timeout_at)
                .bind($crate::sql::now())
                .fetch_one(self.write_pool())
                .await?)
            }

            async fn get_inquiry(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::inquiry::Inquiry> {
                $crate::sql::fetch_one_by!(
                    self.read_pool(),
                    attune_domain::inquiry::Inquiry,
                    "SELECT * FROM inquiry WHERE id = $1",
                    "inquiry",
                    id
                )
            }

            async fn list_inquiries(
                &self,
                status: Option<attune_domain::status::InquiryStatus>,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::inquiry::Inquiry>> {
                Ok($crate::sql::fetch_page!(
                    self.read_pool(),
                    $db,
                    attune_domain::inquiry::Inquiry,
                    "inquiry",
                    "id DESC",
                    page,
                    |qb| {
                        if let Some(s) = status {
                            qb.push(" AND status = ").push_bind(s);
                        }
                    }
                ))
            }

            async fn respond_inquiry(
                &self,
                id: attune_domain::Id,
                response: &attune_domain::Json,
            ) -> $crate::StoreResult<Option<attune_domain::inquiry::Inquiry>> {
                let now = $crate::sql::now();
                let answered = sqlx::query_as(
                    "UPDATE inquiry SET status = $1, response = $2, responded_at = $3, updated = $3 \
                     WHERE id = $4 AND status = $5 RETURNING *",
                )
                .bind(attune_domain::status::InquiryStatus::Responded)
                .bind(response)
                .bind(now)
                .bind(id)
                .bind(attune_domain::status::InquiryStatus::Pending)
                .fetch_optional(self.write_pool())
                .await?;
                if answered.is_none() {
                    self.get_inquiry(id).await?;
                }
                Ok(answered)
            }

            async fn close_inquiry(
                &self,
                id: attune_domain::Id,
                status: attune_domain::status::InquiryStatus,
            ) -> $crate::StoreResult<Option<attune_domain::inquiry::Inquiry>> {
                let closed = sqlx::query_as(
                    "UPDATE inquiry SET status = $1, updated = $2 WHERE id = $3 AND status = $4 RETURNING *",
                )
                .bind(status)
                .bind($crate::sql::now())
                .bind(id)
                .bind(attune_domain::status::InquiryStatus::Pending)
                .fetch_optional(self.write_pool())
                .await?;
                if closed.is_none() {
                    self.get_inquiry(id).await?;
                }
                Ok(closed)
            }

            async fn delete_inquiry(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                $crate::sql::delete_by!(self.write_pool(), "DELETE FROM inquiry WHERE id = $1", "inquiry", id)
            }
        }
    };
}
pub(crate) use impl_inquiry_store;
