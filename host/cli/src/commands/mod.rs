//! One module per subcommand.

mod migrate;
mod server;

use attune_config::Config;

use crate::args::Command;

/// Runs a subcommand to completion.
pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Server => server::run(config).await,
        Command::Migrate => migrate::run(config).await,
    }
}
