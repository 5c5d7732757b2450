//! Inquiries.

use async_trait::async_trait;
use attune_domain::inquiry::{Inquiry, InquiryFilter, NewInquiry};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::InquiryStatus;
use attune_domain::{Id, Json, Timestamp};

use crate::StoreResult;

/// Questions executions wait on.
#[async_trait]
pub trait InquiryStore: Send + Sync {
    /// Records an inquiry in status `pending`, with its assignees. An execution asks once:
    /// when it already has an inquiry, that one is returned and nothing is written.
    async fn create_inquiry(&self, inquiry: &NewInquiry) -> StoreResult<Inquiry>;
    /// An inquiry by id.
    async fn get_inquiry(&self, id: Id) -> StoreResult<Inquiry>;
    /// The inquiry an execution asked, if any.
    async fn inquiry_of_execution(&self, execution: Id) -> StoreResult<Option<Inquiry>>;
    /// Inquiries, newest first, narrowed by `filter`.
    async fn list_inquiries(&self, filter: &InquiryFilter, page: PageRequest) -> StoreResult<Page<Inquiry>>;
    /// Records the answer and who gave it, only if the inquiry is still pending. `None`
    /// when it was not.
    async fn respond_inquiry(&self, id: Id, response: &Json, responded_by: &str) -> StoreResult<Option<Inquiry>>;
    /// Ends a pending inquiry with `status` (timeout, cancelled). `None` when not pending.
    async fn close_inquiry(&self, id: Id, status: InquiryStatus) -> StoreResult<Option<Inquiry>>;
    /// Inquiries whose execution still waits though there is nothing more to wait for:
    /// pending ones whose time ran out by `now`, and closed ones whose execution is still
    /// `pending` (it was not told). Oldest first, at most `limit`.
    async fn list_unsettled_inquiries(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Inquiry>>;
    /// Deletes an inquiry.
    async fn delete_inquiry(&self, id: Id) -> StoreResult<()>;
}
