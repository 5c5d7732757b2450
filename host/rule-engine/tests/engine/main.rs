//! Criteria operators and parameter templates.

mod operators;
mod templates;
