//! The store traits, one per aggregate. [`crate::Store`] combines them.

pub mod admissions;
pub mod audit;
pub mod credentials;
pub mod events;
pub mod executions;
pub mod identities;
pub mod inquiries;
pub mod keys;
pub mod operations;
pub mod packs;
pub mod retention;
pub mod webhooks;
pub mod workflows;
