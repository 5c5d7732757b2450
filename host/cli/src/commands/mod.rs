//! One module per subcommand.

mod migrate;
mod roles;
mod server;
mod startup;

use attune_config::Config;

use crate::args::Command;
use crate::environment::Inherited;

/// Runs a subcommand to completion; `env` holds the `ATTUNE*` variables the process was
/// started with (secrets among them).
pub async fn run(command: Command, config: Config, env: Inherited) -> anyhow::Result<()> {
    match command {
        Command::Server => server::run(config, &env).await,
        Command::Api => roles::api(config, &env).await,
        Command::Executor => roles::executor(config, &env).await,
        Command::Worker => roles::worker(config, &env).await,
        Command::Sensor => roles::sensor(config, &env).await,
        Command::Notifier => roles::notifier(config, &env).await,
        Command::Migrate => migrate::run(config).await,
    }
}
