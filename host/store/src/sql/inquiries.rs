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
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                if let Some(execution) = inquiry.execution {
                    let asked: Option<attune_domain::inquiry::Inquiry> =
                        sqlx::query_as("SELECT * FROM inquiry WHERE execution = $1")
                            .bind(execution)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let Some(asked) = asked {
                        return Ok(asked);
                    }
                }
                let created: attune_domain::inquiry::Inquiry = sqlx::query_as(
                    "INSERT INTO inquiry (execution, pack_ref, prompt, response_schema, assignees, status, timeout_at, \
                     created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
                )
                .bind(inquiry.execution)
                .bind(&inquiry.pack_ref)
                .bind(&inquiry.prompt)
                .bind(&inquiry.response_schema)
                .bind(sqlx::types::Json(&inquiry.assignees))
                .bind(attune_domain::status::InquiryStatus::Pending)
                .bind(inquiry.timeout_at)
                .bind($crate::sql::now())
                .fetch_one(&mut *tx)
                .await?;
                let names = inquiry
                    .assignees
                    .identities
                    .iter()
                    .map(|name| ("identity", name))
                    .chain(inquiry.assignees.permission_sets.iter().map(|name| ("permission_set", name)));
                for (kind, name) in names {
                    sqlx::query(
                        "INSERT INTO inquiry_assignee (inquiry, kind, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(created.id)
                    .bind(kind)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(created)
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

            async fn inquiry_of_execution(
                &self,
                execution: attune_domain::Id,
            ) -> $crate::StoreResult<Option<attune_domain::inquiry::Inquiry>> {
                Ok(sqlx::query_as("SELECT * FROM inquiry WHERE execution = $1")
                    .bind(execution)
                    .fetch_optional(self.read_pool())
                    .await?)
            }

            async fn list_inquiries(
                &self,
                filter: &attune_domain::inquiry::InquiryFilter,
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
                        if let Some(s) = filter.status {
                            qb.push(" AND status = ").push_bind(s);
                        }
                        if let Some((login, sets)) = &filter.assignee {
                            qb.push(
                                " AND EXISTS (SELECT 1 FROM inquiry_assignee a WHERE a.inquiry = inquiry.id \
                                 AND ((a.kind = 'identity' AND a.name = ",
                            )
                            .push_bind(login.clone())
                            .push(")");
                            if !sets.is_empty() {
                                qb.push(" OR (a.kind = 'permission_set' AND a.name IN (");
                                let mut list = qb.separated(", ");
                                for set in sets {
                                    list.push_bind(set.clone());
                                }
                                qb.push("))");
                            }
                            qb.push("))");
                        }
                    }
                ))
            }

            async fn respond_inquiry(
                &self,
                id: attune_domain::Id,
                response: &attune_domain::Json,
                responded_by: &str,
            ) -> $crate::StoreResult<Option<attune_domain::inquiry::Inquiry>> {
                let changing = self.changing();
                let now = $crate::sql::now();
                let answered = sqlx::query_as(
                    "UPDATE inquiry SET status = $1, response = $2, responded_by = $3, responded_at = $4, updated = $4 \
                     WHERE id = $5 AND status = $6 RETURNING *",
                )
                .bind(attune_domain::status::InquiryStatus::Responded)
                .bind(response)
                .bind(responded_by)
                .bind(now)
                .bind(id)
                .bind(attune_domain::status::InquiryStatus::Pending)
                .fetch_optional(self.write_pool(&changing))
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
                let changing = self.changing();
                let closed = sqlx::query_as(
                    "UPDATE inquiry SET status = $1, updated = $2 WHERE id = $3 AND status = $4 RETURNING *",
                )
                .bind(status)
                .bind($crate::sql::now())
                .bind(id)
                .bind(attune_domain::status::InquiryStatus::Pending)
                .fetch_optional(self.write_pool(&changing))
                .await?;
                if closed.is_none() {
                    self.get_inquiry(id).await?;
                }
                Ok(closed)
            }

            async fn list_unsettled_inquiries(
                &self,
                now: attune_domain::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<attune_domain::inquiry::Inquiry>> {
                let mut found: Vec<attune_domain::inquiry::Inquiry> = sqlx::query_as(
                    "SELECT * FROM inquiry WHERE status = 'pending' AND timeout_at <= $1 ORDER BY timeout_at, id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?;
                let closed: Vec<attune_domain::inquiry::Inquiry> = sqlx::query_as(
                    "SELECT inquiry.* FROM execution JOIN inquiry ON inquiry.execution = execution.id \
                     WHERE execution.status = 'pending' AND inquiry.status <> 'pending' \
                     ORDER BY execution.updated, execution.id LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?;
                found.extend(closed);
                Ok(found)
            }

            async fn delete_inquiry(&self, id: attune_domain::Id) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM inquiry WHERE id = $1", "inquiry", id)
            }
        }
    };
}
pub(crate) use impl_inquiry_store;
