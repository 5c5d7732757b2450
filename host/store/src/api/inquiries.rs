//! Inquiries.

use async_trait::async_trait;
use attune_domain::inquiry::{Inquiry, NewInquiry};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::InquiryStatus;
use attune_domain::{Id, Json};

use crate::StoreResult;

/// Questions executions wait on.
#[async_trait]
pub trait InquiryStore: Send + Sync {
    /// Records an inquiry in status `pending`.
    async fn create_inquiry(&self, inquiry: &NewInquiry) -> StoreResult<Inquiry>;
    /// An inquiry by id.
    async fn get_inquiry(&self, id: Id) -> StoreResult<Inquiry>;
    /// Inquiries, newest first; `status` narrows.
    async fn list_inquiries(&self, status: Option<InquiryStatus>, page: PageRequest) -> StoreResult<Page<Inquiry>>;
    /// Records the answer, only if the inquiry is still pending. `None` when it was not.
    async fn respond_inquiry(&self, id: Id, response: &Json) -> StoreResult<Option<Inquiry>>;
    /// Ends a pending inquiry with `status` (timeout, cancelled). `None` when not pending.
    async fn close_inquiry(&self, id: Id, status: InquiryStatus) -> StoreResult<Option<Inquiry>>;
    /// Deletes an inquiry.
    async fn delete_inquiry(&self, id: Id) -> StoreResult<()>;
}
