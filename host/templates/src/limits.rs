//! How much one render may do.

/// Bounds of one render (all the strings of one value together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateLimits {
    /// Bytes written, over every string rendered.
    pub output_bytes: usize,
    /// Iterations of every `for` loop, nested ones included.
    pub loop_iterations: usize,
    /// Items one `range(...)` may produce.
    pub range_items: usize,
}

impl Default for TemplateLimits {
    fn default() -> Self {
        Self { output_bytes: 1 << 20, loop_iterations: 10_000, range_items: 10_000 }
    }
}
