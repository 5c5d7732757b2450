//! Response envelopes and page parameters.

use attune_domain::page::{Page, PageRequest};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `{"data": value}`.
pub fn data<T: Serialize>(value: T) -> Json<Value> {
    Json(json!({ "data": value }))
}

/// `{"data": [...], "pagination": {"page", "page_size", "total"}}`.
pub fn page<T: Serialize>(page: Page<T>) -> Json<Value> {
    Json(json!({
        "data": page.items,
        "pagination": {
            "page": page.request.page,
            "page_size": page.request.page_size,
            "total": page.total,
        },
    }))
}

/// Page parameters and the `pack` filter shared by component lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// 1-based page.
    pub page: Option<u32>,
    /// Rows per page (at most 1000).
    pub page_size: Option<u32>,
    /// Only components of this pack.
    pub pack: Option<String>,
}

impl ListParams {
    /// The page asked for.
    pub fn page_request(&self) -> PageRequest {
        page_request(self.page, self.page_size)
    }
}

/// The page asked for by `page` and `page_size` query parameters (first page of 50 by
/// default).
pub fn page_request(page: Option<u32>, page_size: Option<u32>) -> PageRequest {
    PageRequest::new(page.unwrap_or(1), page_size.unwrap_or(PageRequest::DEFAULT_PAGE_SIZE))
}
