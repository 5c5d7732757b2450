//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Event-driven automation with a WebAssembly sandbox.
#[derive(Debug, Parser)]
#[command(name = "attune", version, about)]
pub struct Args {
    /// Configuration file (default: ./attune.yaml when present).
    #[arg(long, global = true, env = "ATTUNE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Flags of the client commands.
    #[command(flatten)]
    pub client: attune_client::Global,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands: the server roles, the client's, and completions.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A server role.
    #[command(flatten)]
    Role(Role),
    /// Client commands, against a server's REST API.
    #[command(flatten)]
    Client(attune_client::ClientCommand),
    /// Print the REST API's OpenAPI document (what the web UI's client is generated from).
    Openapi,
    /// Print a shell completion script for `attune` (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The server roles.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Run every role in one process (the embedded deployment): API, executor, worker and
    /// sensor service; the packs under packs_dir are registered on start.
    Server,
    /// Run the API role only (distributed deployment; needs bus.url).
    Api,
    /// Run the executor role only: scheduling and reconciliation (needs bus.url).
    Executor,
    /// Run the worker role only: runs executions (needs bus.url).
    Worker,
    /// Run the sensor service only: timers and sensors (needs bus.url; run exactly one).
    /// `attune sensor list` is the client command listing sensors instead.
    Sensor {
        /// A client command on sensors (`list`) instead of running the role.
        #[command(subcommand)]
        client: Option<attune_client::args::ListOnly>,
    },
    /// Run the notifier only: serves the live stream of notices (/api/v1/stream) on
    /// server.listen, apart from the REST API (needs bus.url).
    Notifier,
    /// Apply pending database migrations and exit.
    Migrate,
}

impl Role {
    /// The name its spans are exported under.
    pub fn service_name(&self) -> &'static str {
        match self {
            Role::Server => "attune-server",
            Role::Api => "attune-api",
            Role::Executor => "attune-executor",
            Role::Worker => "attune-worker",
            Role::Sensor { .. } => "attune-sensor",
            Role::Notifier => "attune-notifier",
            Role::Migrate => "attune-migrate",
        }
    }
}
