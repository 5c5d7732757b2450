//! Pagination shared by every list.

use serde::{Deserialize, Serialize};

/// Which page of a list to return. Pages are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

impl PageRequest {
    /// Largest page a caller may ask for.
    pub const MAX_PAGE_SIZE: u32 = 1000;
    /// Page size when none is given.
    pub const DEFAULT_PAGE_SIZE: u32 = 50;

    /// A page, with `page` at least 1 and `page_size` between 1 and [`Self::MAX_PAGE_SIZE`].
    pub fn new(page: u32, page_size: u32) -> Self {
        Self { page: page.max(1), page_size: page_size.clamp(1, Self::MAX_PAGE_SIZE) }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }

    /// Rows to return.
    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, Self::DEFAULT_PAGE_SIZE)
    }
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// The page that was asked for.
    pub request: PageRequest,
    /// Rows in the whole (filtered) list.
    pub total: u64,
}

impl<T> Page<T> {
    /// Transforms every row.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), request: self.request, total: self.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_offsets() {
        let page = PageRequest::new(0, 0);
        assert_eq!((page.page, page.page_size, page.offset()), (1, 1, 0));
        let page = PageRequest::new(3, 5000);
        assert_eq!((page.page_size, page.offset()), (1000, 2000));
    }
}
