//! The `attune` command-line client: every client command of the `attune` binary, talking
//! to a server through its REST API only (nothing here reaches a store, a bus or a runtime,
//! so the client works from any machine that can reach the API).
//!
//! Module plan:
//! - [`args`]: the commands and flags, as clap definitions the binary flattens into its own.
//! - [`failure`]: everything that can go wrong, each with the exit code scripts rely on.
//! - `profile`: where to connect and with which credential, kept in a file only its owner
//!   can read (mode 0600), with `ATTUNE_URL`, `ATTUNE_TOKEN` and `ATTUNE_API_KEY` taking
//!   precedence.
//! - `api`: the HTTP client: the bearer credential on every request, a refreshed access
//!   token when a profile's has expired, the server's error envelope turned into a
//!   [`failure::Failure`].
//! - `output`: human tables and YAML by default, JSON with `--json`; progress spinners only
//!   on a terminal.
//! - `params`: `key=value` arguments typed by an action's parameter schema.
//! - `oci`: pack archives pushed to and pulled from OCI registries.
//! - `commands`: one module per noun (`pack`, `action`, `execution`, ...); `pack init`'s
//!   templates and `pack build`'s offline checks and archive among them.

mod api;
pub mod args;
mod commands;
pub mod failure;
mod oci;
mod output;
mod params;
mod profile;

pub use args::{ClientCommand, Global};
pub use commands::Template;
pub use failure::Failure;

/// Runs one client command; the error says what went wrong and which exit code it means.
pub async fn run(global: Global, command: ClientCommand) -> Result<(), Failure> {
    commands::run(&global, command).await
}

/// Runs `attune sensor list` (a subcommand of the sensor role's command).
pub async fn sensors(global: Global, command: args::ListOnly) -> Result<(), Failure> {
    commands::sensors(&global, command).await
}
