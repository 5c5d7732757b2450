//! The sensor service against a real store (SQLite and PostgreSQL) with the real WebAssembly
//! and native runtimes: timers configured by rules and built-in sensors, WASM sensors
//! polled on schedule, native sensor processes restarted with back-off, and the statuses
//! the API shows for each. Assertions read the store; waits are bounded polls of it.

mod native;
mod support;
mod timers;
mod wasm;
