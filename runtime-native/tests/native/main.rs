//! The native runtimes with real processes: bash, python3 and node started for real,
//! dependencies installed from PyPI and npm, the shipped packs run as the worker runs them.

mod artifacts;
mod core_pack;
mod environments;
mod examples_pack;
mod formats;
mod http_server;
mod interpreters;
mod isolation;
mod shell;
mod shipped;
mod supervision;
mod support;
