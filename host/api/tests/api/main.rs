//! The HTTP API over a real SQLite store, driven in-process.

mod abuse;
mod access;
mod api_keys;
mod artifacts;
mod auth;
mod control;
mod datastore;
mod escalation;
mod execution_tokens;
mod executions;
mod hostile_packs;
mod identities;
mod inquiries;
mod openapi;
mod packs;
mod policies;
mod requests;
mod rules;
mod sessions;
mod support;
mod webhooks;
