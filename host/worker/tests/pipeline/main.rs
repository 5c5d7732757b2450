//! The execution pipeline in one process — request, executor, worker, real runtimes, result —
//! on both store backends.

mod cancellation;
mod faults;
mod recovery;
mod rules;
mod runs;
mod support;
