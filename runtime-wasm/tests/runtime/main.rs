//! The WASM runtime against real guest components: limits, failures, output, grants,
//! outbound HTTP, concurrency, the instance pool, the component cache, sensors and the example pack.
//!
//! Guests are WAT sources from `support::guests` (componentized on the fly by the runtime,
//! as pack entry points are) and the Python example of `packs/examples-wasm` (built with
//! componentize-py: run `scripts/install-wasm-tools.sh` first).

mod support;

mod artifacts;
mod build;
mod cache;
mod concurrency;
mod examples;
mod failures;
mod grants;
mod limits;
mod output;
mod pool;
mod sensors;
