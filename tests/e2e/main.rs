//! End-to-end tests: the real `attune` binary, started as a process, driven over HTTP.

mod config;
mod distributed;
mod embedded;
mod postgres;
mod recovery;
mod rules;
mod stream;
mod sensors;
mod support;
