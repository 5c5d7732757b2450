//! `attune`: every server role and the command-line client in one binary.
//!
//! `attune server` runs the embedded deployment (every role in one process, on SQLite with
//! an in-process bus); `attune api`, `attune executor`, `attune worker`, `attune sensor` and
//! `attune notifier` run one role each for a distributed deployment on PostgreSQL and RabbitMQ; `attune
//! migrate` brings a database's schema up to date. The composition root — the one place that names every
//! backend — is [`compose`], with [`runtimes`] and [`rabbitmq`]; [`http`] is the HTTP server loop.
//!
//! Exit codes: 0 success, 1 failure while running, 2 bad usage or configuration.

mod args;
mod commands;
mod compose;
mod environment;
mod http;
mod logging;
mod rabbitmq;
mod runtimes;
mod signals;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Files the server creates (database, secrets, caches) are its own alone.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let args = args::Args::parse();
    let inherited = environment::Inherited::take();
    let config = match attune_config::load(args.config.as_deref(), inherited.vars()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("attune: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    logging::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("attune: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(args.command, config, inherited)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("attune: {error:#}");
            ExitCode::from(1)
        }
    }
}
