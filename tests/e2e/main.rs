//! End-to-end tests: the real `attune` binary, started as a process, driven over HTTP.

mod abuse;
mod artifacts;
mod audit;
mod callback;
mod cli;
mod compose;
mod config;
mod distributed;
mod embedded;
mod fuzz;
mod masking;
mod operations;
mod policies;
mod postgres;
mod recovery;
mod rules;
mod sandbox;
mod sensors;
mod stream;
mod support;
mod traces;
mod unprivileged;
mod web;
mod workflows;
