//! One module per subcommand.

mod migrate;
mod roles;
mod server;
mod startup;

use attune_config::Config;

use crate::args::Command;

/// Runs a subcommand to completion.
pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Server => server::run(config).await,
        Command::Api => roles::api(config).await,
        Command::Executor => roles::executor(config).await,
        Command::Worker => roles::worker(config).await,
        Command::Sensor => roles::sensor(config).await,
        Command::Notifier => roles::notifier(config).await,
        Command::Migrate => migrate::run(config).await,
    }
}
