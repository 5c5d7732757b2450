//! Response envelopes and page parameters. The envelopes are types, not ad hoc JSON, so that
//! the OpenAPI document describes exactly what handlers send.

use attune_domain::page::{Page, PageRequest};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// `{"data": value}`: every success with a body.
#[derive(Serialize, ToSchema)]
pub struct Data<T> {
    /// The result.
    pub data: T,
}

/// A page of a list: `{"data": [...], "pagination": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct Paged<T> {
    /// The rows of this page.
    pub data: Vec<T>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Where a page is in its list.
#[derive(Serialize, ToSchema)]
pub struct Pagination {
    /// 1-based page.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Rows in the whole list.
    pub total: u64,
}

/// `{"data": value}`.
pub fn data<T: Serialize>(value: T) -> Json<Value> {
    Json(json!(Data { data: value }))
}

/// `{"data": [...], "pagination": {"page", "page_size", "total"}}`.
pub fn page<T: Serialize>(page: Page<T>) -> Json<Value> {
    let pagination = Pagination { page: page.request.page, page_size: page.request.page_size, total: page.total };
    Json(json!(Paged { data: page.items, pagination }))
}

/// `page` and `page_size` query parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page (default 1).
    pub page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    pub page_size: Option<u32>,
}

impl PageQuery {
    /// The page asked for.
    pub fn request(&self) -> PageRequest {
        page_request(self.page, self.page_size)
    }
}

/// Page parameters and the `pack` filter shared by component lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page (default 1).
    pub page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
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
