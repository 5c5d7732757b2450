//! Returning the heap's free pages to the operating system.
//!
//! glibc's allocator keeps what the process frees in its arenas and gives memory back only
//! from the top of each arena. Under load the server allocates and frees a lot from many
//! threads (requests, store rows, executions), so after a burst most of the arenas is
//! free but resident: measured after a two-minute burst of WebAssembly executions, 160 MiB
//! of heap held 12 MiB in use (docs/performance.md, "Memory"). `malloc_trim` releases the
//! free pages anywhere in the arenas; a background thread calls it every
//! `ops.heap_trim_s`, which costs a walk of the free lists (about a millisecond) and, under
//! load, page faults on pages freed and soon reused.

use std::time::Duration;

/// Starts the thread that trims the heap every `every`; nothing when `every` is zero or
/// the allocator is not glibc's.
pub fn start_trimming(every: Duration) {
    if every.is_zero() || !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return;
    }
    let spawned = std::thread::Builder::new().name("attune-heap-trim".into()).spawn(move || {
        loop {
            std::thread::sleep(every);
            trim();
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the heap trimmer: freed memory stays with the process");
    }
}

/// Gives the free pages of every arena back to the operating system.
#[allow(unsafe_code, reason = "a libc call without arguments to check")]
fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only takes the allocator's own locks; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}
