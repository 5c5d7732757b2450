//! One module per noun; [`run`] sends each command to its own.

mod actions;
mod auth;
mod components;
mod executions;
mod init;
mod packs;
mod resources;
mod workflows;

pub use init::Template;

use crate::api::Api;
use crate::args::{ClientCommand, Global};
use crate::failure::Failure;

/// `attune sensor list` (the `sensor` command without a subcommand runs the sensor role,
/// so the binary hands this one over on its own).
pub async fn sensors(global: &Global, command: crate::args::ListOnly) -> Result<(), Failure> {
    resources::sensor(&mut Api::connect(global)?, global, command).await
}

/// Runs one client command.
pub async fn run(global: &Global, command: ClientCommand) -> Result<(), Failure> {
    let connect = || Api::connect(global);
    match command {
        ClientCommand::Login(args) => auth::login(global, args).await,
        ClientCommand::Logout => auth::logout(global),
        ClientCommand::Pack(command) => packs::run(global, command).await,
        ClientCommand::Action(command) => actions::run(&mut connect()?, global, command).await,
        ClientCommand::Execution(command) => executions::run(&mut connect()?, global, command).await,
        ClientCommand::Rule(command) => resources::rule(&mut connect()?, global, command).await,
        ClientCommand::Trigger(command) => resources::trigger(&mut connect()?, global, command).await,
        ClientCommand::Webhook(command) => resources::webhook(&mut connect()?, global, command).await,
        ClientCommand::Key(command) => resources::key(&mut connect()?, global, command).await,
        ClientCommand::Inquiry(command) => resources::inquiry(&mut connect()?, global, command).await,
        ClientCommand::Workflow(command) => workflows::run(&mut connect()?, global, command).await,
    }
}
