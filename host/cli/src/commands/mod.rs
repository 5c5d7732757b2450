//! One module per subcommand.

mod migrate;
mod roles;
mod server;
mod startup;

use attune_config::Config;

use crate::args::Role;
use crate::environment::Inherited;

/// Runs a subcommand to completion; `env` holds the `ATTUNE*` variables the process was
/// started with (secrets among them).
pub async fn run(role: Role, config: Config, env: Inherited) -> anyhow::Result<()> {
    match role {
        Role::Server => server::run(config, &env).await,
        Role::Api => roles::api(config, &env).await,
        Role::Executor => roles::executor(config, &env).await,
        Role::Worker => roles::worker(config, &env).await,
        Role::Sensor { .. } => roles::sensor(config, &env).await,
        Role::Notifier => roles::notifier(config, &env).await,
        Role::Migrate => migrate::run(config).await,
    }
}
