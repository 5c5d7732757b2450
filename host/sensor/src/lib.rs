//! The sensor service role: where events come from, other than webhooks (SPEC §8).
//!
//! It runs three kinds of event sources, all read from the store and kept in line with it:
//!
//! - the built-in timers of the `core` pack (`core.intervaltimer`, `core.crontimer` with a
//!   seconds field and a time zone, the one-shot `core.datetimetimer`), configured by
//!   enabled rules' `trigger_parameters` and by enabled `runner_type: builtin` sensors;
//! - WASM sensors, polled through the WebAssembly runtime on their `poll_interval`;
//! - native sensors (`python`, `shell`, `node`): long-running scripts writing one JSON
//!   event per line, restarted with back-off when they end.
//!
//! Every event is recorded and announced through [`attune_services::events::emit`]; every
//! sensor's state (`starting`, `running`, `failing` with a reason, `stopped`) is recorded
//! on the sensor for the API to show. Run one sensor service per installation: two would
//! each fire every timer and run every sensor.
//!
//! The composition root builds [`SensorDeps`] and a [`SensorConfig`] and calls [`run`] (or
//! [`SensorService::new`], [`SensorService::subscribe`] to watch it, then
//! [`SensorService::run`]).
//!
//! Module plan:
//! - [`config`]: refresh period, default poll interval, restart back-off, WASM limits.
//! - [`role`]: [`SensorDeps`], [`SensorService`], the load–reconcile loop.
//! - `desired`: what should run, read from the store.
//! - `reconcile`: starting, stopping and restarting to match it.
//! - [`timers`]: the built-in timers; [`timers::settings`] checks their settings.
//! - `wasm`, `native`: the two kinds of custom sensor; `custom` what they share.
//! - `context`: the store, the bus, events, statuses and [`Notice`]s.
//! - [`error`]: the service's [`SensorError`].

pub mod config;
mod context;
mod custom;
mod desired;
pub mod error;
mod native;
mod reconcile;
pub mod role;
pub mod timers;
mod wasm;

pub use config::{RestartBackoff, SensorConfig};
pub use context::Notice;
pub use error::SensorError;
pub use role::{SensorDeps, SensorService, run};
