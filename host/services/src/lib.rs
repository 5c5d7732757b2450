//! Attune's application services: the rules behind every API route and CLI command.
//!
//! Handlers stay thin: they parse a request, call one service method and render its result.
//! Services hold the business rules (who may log in, what a registration does, which
//! identities exist at first start) and talk to the store through its traits.
//!
//! Module plan:
//! - [`error`]: [`ServiceError`], the failures a caller can act on, mapped from store and
//!   pack errors; internal failures carry their cause for logging only.
//! - [`platform`]: [`Platform`], the shared handles (store, token issuer, cipher) every
//!   service uses.
//! - [`auth`]: login, refresh (rotated, with reuse detection), password changes, and the
//!   caller with its grants.
//! - [`rbac`]: what a caller's permission sets grant, checked against what an operation needs.
//! - [`api_keys`]: API keys of service accounts.
//! - [`audit`]: the append-only audit log: appending, definitions as they were, listing.
//! - [`identities`], [`permission_sets`]: identities, roles and their assignments, keeping
//!   the last administrator.
//! - [`keys`]: the datastore through the API, with scopes, ownership and encryption.
//! - [`bootstrap`]: first-start setup: runtimes, built-in roles, the `admin` identity.
//! - [`packs`]: registering packs from server paths, listing and deleting them.
//! - [`secret_params`]: sealing secret parameters at rest, unsealing them for the worker,
//!   masking them in every response.
//! - [`executions`]: requesting, listing, cancelling and re-running executions, and their
//!   output.
//! - [`events`]: recording events and telling the rules engine.
//! - [`lifecycle`]: every execution status change — the transition table enforced, the
//!   terminal write and the finish hint in one place.
//! - [`notify`]: state changes that live views hear of: the store write, then a notice on
//!   the bus.
//! - [`observe`]: the metrics of execution status changes, and the readiness probes and
//!   store gauges of a role.
//! - [`artifacts`]: execution artifacts as the API lists and serves them.
//! - [`kv`]: the pack-scoped datastore handle actions and sensors use.
//! - [`retention`]: the collector deleting history that is due, in small batches.
//! - [`rules`]: rules managed through the API, checked like rules from pack files.
//! - [`enforcement`]: the rules engine: an event against every rule on its trigger, each
//!   match recorded as an enforcement and turned into an execution.
//! - [`webhooks`]: named webhooks, their secrets, and posts turned into events.
//! - [`policies`]: policies managed through the API, and an action's queue.
//! - [`inquiries`]: asking (for the executor), answering (for the API) and settling
//!   inquiries.
//! - [`workflows`]: running workflows around the engine (start, one durable step at a time,
//!   pause, resume, re-run from a task) and their views.

pub mod api_keys;
pub mod artifact_files;
pub mod artifacts;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod enforcement;
pub mod error;
pub mod events;
pub mod executions;
pub mod identities;
pub mod inquiries;
pub mod keys;
pub mod kv;
pub mod lifecycle;
pub mod notify;
pub mod observe;
pub mod packs;
pub mod permission_sets;
pub mod platform;
pub mod policies;
pub mod rbac;
pub mod retention;
pub mod rules;
pub mod secret_bindings;
pub mod secret_params;
#[cfg(test)]
mod test_support;
pub mod webhooks;
pub mod workflows;

pub use error::{ServiceError, ServiceResult};
pub use platform::Platform;
