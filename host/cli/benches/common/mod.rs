//! What the end-to-end benchmarks share: deployments started from the release binary and
//! torn down afterwards, the API client, the ways of applying load and seeing it through,
//! and the statistics and report. Each benchmark includes this directory as its `common`
//! module.

pub mod broker;
pub mod client;
pub mod deployment;
pub mod drive;
pub mod report;
pub mod run;
pub mod settings;
pub mod stats;

/// The end-to-end tests' process helpers: the benchmarks start `attune` the same way. The
/// tests use the rest of that module (requests, restarts).
#[allow(dead_code)]
#[path = "../../../../tests/e2e/support.rs"]
mod support;
