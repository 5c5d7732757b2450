//! `attune`: every server role and the command-line client in one binary.
//!
//! `attune server` runs the embedded deployment (every role in one process, on SQLite with
//! an in-process bus); `attune api`, `attune executor`, `attune worker`, `attune sensor` and
//! `attune notifier` run one role each for a distributed deployment on PostgreSQL and RabbitMQ; `attune
//! migrate` brings a database's schema up to date. The composition root — the one place that names every
//! backend — is [`compose`], with [`runtimes`] and [`rabbitmq`]; [`http`] is the HTTP server loop;
//! [`ops`] gives each role its metrics access, readiness probes and, without an API, a
//! listener for them.
//!
//! Every other subcommand is a client command ([`attune_client`]): it talks to a server's
//! REST API only, reads no server configuration and starts nothing.
//!
//! Exit codes of the server roles: 0 success, 1 failure while running, 2 bad usage or
//! configuration. The client's are listed in [`attune_client::failure`] (and docs/cli.md).

mod args;
mod commands;
mod compose;
mod environment;
mod heap;
mod http;
mod logging;
mod ops;
mod rabbitmq;
mod runtimes;
mod signals;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// Rust's heap (see [`heap`]).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Files the server creates (database, secrets, caches) are its own alone.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let args = args::Args::parse();
    let role = match args.command {
        args::Command::Role(args::Role::Sensor { client: Some(command) }) => {
            return client(attune_client::sensors(args.client, command));
        }
        args::Command::Role(role) => role,
        args::Command::Client(command) => {
            return client(attune_client::run(args.client, command));
        }
        args::Command::Openapi => {
            println!("{}", attune_api::openapi::json());
            return ExitCode::SUCCESS;
        }
        args::Command::Completions { shell } => {
            clap_complete::generate(shell, &mut args::Args::command(), "attune", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
    };
    // Read before the environment is taken out of the process.
    attune_web::read_environment();
    let inherited = environment::Inherited::take();
    let config = match attune_config::load(args.config.as_deref(), inherited.vars()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("attune: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let _tracing = match logging::init(&config.log, &config.ops.traces, role.service_name()) {
        Ok(tracing) => tracing,
        Err(error) => {
            eprintln!("attune: configuration error: ops.traces.otlp_endpoint: {error}");
            return ExitCode::from(2);
        }
    };
    heap::start_trimming(std::time::Duration::from_secs(config.ops.heap_trim_s));
    // Before anything is recorded: what happens earlier is not counted.
    attune_telemetry::exporter::install();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("attune: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(role, config, inherited)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("attune: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Runs a client command; its failure's exit code is the process's.
fn client(command: impl std::future::Future<Output = Result<(), attune_client::Failure>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("attune: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("attune: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
