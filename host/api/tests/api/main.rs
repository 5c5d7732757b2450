//! The HTTP API over a real SQLite store, driven in-process.

mod auth;
mod executions;
mod packs;
mod requests;
mod rules;
mod support;
mod webhooks;
