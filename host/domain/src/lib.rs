//! Attune's domain model: the entities of the platform, their enums and the rules every layer
//! agrees on (what a valid ref is, which execution statuses are terminal, how secrets are
//! masked).
//!
//! This crate sits at the bottom of the host: it knows nothing of storage, transport or HTTP.
//! Stored entities carry their `id` and `created`/`updated` timestamps; the `New*` structs are
//! what a caller provides to create one.
//!
//! Module plan:
//! - [`refs`]: `pack.name` refs and their validation.
//! - [`status`]: the lifecycle enums (execution, enforcement, inquiry, worker...).
//! - [`pack`], [`runtime`], [`worker`]: packaging and where code runs.
//! - [`trigger`] (triggers and sensors), [`event`] (events and enforcements), [`rule`].
//! - [`action`], [`execution`] (executions and their output lines), [`inquiry`].
//! - [`lifecycle`]: every allowed execution status change; [`failure`]: typed failure kinds.
//! - [`workflow`]: workflow definitions and per-execution workflow/task state; [`graph`]:
//!   the typed task graph a definition holds, and its structural checks.
//! - [`policy`] (typed policy rules), [`admission`] (what the scheduler asks the store when
//!   a policy governs an execution), [`identity`] (identities, permission sets, assignments, grants), [`key`].
//! - [`credential`]: issued refresh tokens and API keys.
//! - [`notification`], [`artifact`], [`webhook`].
//! - [`audit`]: the append-only record of changes and secret decryptions.
//! - [`page`]: pagination shared by every list.

pub mod action;
pub mod admission;
pub mod artifact;
pub mod audit;
pub mod credential;
pub mod event;
pub mod execution;
pub mod failure;
pub mod graph;
pub mod identity;
pub mod inquiry;
pub mod key;
pub mod lifecycle;
pub mod notification;
pub mod pack;
pub mod page;
pub mod policy;
pub mod refs;
pub mod rule;
pub mod runtime;
pub mod status;
pub mod trigger;
pub mod webhook;
pub mod worker;
pub mod workflow;

/// Every entity is identified by a 64-bit integer.
pub type Id = i64;

/// Timestamps are UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A JSON value (schemas, configs, payloads, results).
pub type Json = serde_json::Value;

/// What secret values are replaced with wherever they would be shown.
pub const MASK: &str = "********";
