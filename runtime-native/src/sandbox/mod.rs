//! The sandbox every native action, native sensor and environment build runs in (SPEC §7).
//!
//! A native action must be able to harm only itself. So the process never starts directly:
//! the worker starts `attune-sandbox` (the [`helper`]), which starts the process
//! - in user, mount, PID and IPC namespaces of its own: it sees and can signal only its own
//!   tree, `/proc` shows nothing else, and when its first process ends the kernel kills
//!   whatever is left;
//! - as a user other than the server's where the server can arrange it (a root server
//!   runs it as `run_as`, default `nobody`), with no capability, no new privileges and no
//!   set-user-id programs;
//! - in a view of the filesystem built for it ([`view`]): system directories, its pack,
//!   its pack's environment and its interpreter read-only, a private size-limited `/tmp`;
//!   nothing of the data directory, configuration, component cache, other packs, other
//!   environments or other executions exists there;
//! - restricted by Landlock to the same paths, so a mistake in the view is not enough;
//! - under limits of memory and process count for the whole tree (measured, and enforced
//!   per process too), open files and CPU time per process.
//!
//! The helper writes a report (limits reached, peak memory, CPU time) that the runtime
//! turns into the execution's failure kind and metering. At start-up the server probes the
//! sandbox once ([`Sandbox::probe`]) and refuses to start without it, unless it is turned
//! off in the configuration.
//!
//! Module plan:
//! - [`config`]: [`SandboxConfig`] and the native limits ([`NativeLimitPolicy`]).
//! - [`identity`]: whom a confined process runs as ([`RunAs`]), as id maps.
//! - [`view`]: planning the view and the Landlock rules from an [`Exposure`] (pure).
//! - [`spec`]: the document the helper is started with, and the report it leaves.
//! - [`confine`]: [`Sandbox`], which wraps a process description into a helper launch,
//!   and the start-up probe.
//! - [`helper`]: the helper program (the only code here that is `unsafe`, in one module).

pub mod config;
mod confine;
mod error;
pub mod helper;
pub mod identity;
pub mod spec;
pub mod view;

pub use config::{NativeLimitPolicy, NativeLimits, SandboxConfig};
pub use confine::{ArtifactSource, Confined, HELPER_NAME, PendingReport, Sandbox, SandboxStatus};
pub use error::SandboxError;
pub use identity::RunAs;
pub use view::Exposure;
