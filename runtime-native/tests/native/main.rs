//! The native runtimes with real processes: bash, python3 and node started for real,
//! dependencies installed from PyPI and npm, the shipped packs run as the worker runs them.

mod environments;
mod formats;
mod interpreters;
mod isolation;
mod shell;
mod supervision;
mod support;
