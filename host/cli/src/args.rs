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

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every role in one process (embedded mode): API, and the packs under packs_dir
    /// registered on start.
    Server,
    /// Apply pending database migrations and exit.
    Migrate,
}
