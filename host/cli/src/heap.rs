//! The process's heaps: mimalloc for Rust's allocations, glibc's for the C libraries'.
//!
//! Rust's allocations (requests, store rows, messages, executions) go to mimalloc, the
//! [global allocator](crate::ALLOCATOR): under load they are many small blocks allocated on
//! one thread and freed on another, which glibc's allocator serves with locks on shared
//! arenas (about 14% of the server's samples during a flood of WebAssembly executions) and
//! mimalloc from per-thread pages. Its defaults keep freed pages resident for a second and
//! commit a whole arena at once; its [`options`], set before mimalloc starts, give them back
//! at once instead, which kept the idle server's resident memory below glibc's and its
//! throughput above it (docs/performance.md, "Memory").
//!
//! The C libraries (SQLite) still allocate with glibc, which keeps what they free in its
//! arenas and gives memory back only from the top of each. `malloc_trim` releases the free
//! pages anywhere in the arenas; a background thread calls it every `ops.heap_trim_s`, which
//! costs a walk of the free lists (about a millisecond).

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

/// mimalloc's options, set through the loader's table of constructors, which is ELF's: on
/// other systems mimalloc keeps its defaults.
#[cfg(target_os = "linux")]
mod options {
    use libmimalloc_sys as mi;

    /// `mi_option_arena_eager_commit` and `mi_option_purge_delay`: their places in the options
    /// enumeration of the bundled mimalloc 3 (`mimalloc.h`), which the `-sys` crate does not name;
    /// a test checks that they are set and that their neighbours hold mimalloc's defaults.
    const ARENA_EAGER_COMMIT: mi::mi_option_t = 4;
    const PURGE_DELAY: mi::mi_option_t = 15;

    /// Sets mimalloc's options before mimalloc starts: an entry of the constructors the loader
    /// runs before `main`, ordered (priority 100) before mimalloc's own (101), which reads its
    /// options and sets up its first memory. Set from `main` instead, the same options left the
    /// idle server at about 110 MiB (docs/performance.md, "Memory").
    #[used]
    #[allow(unsafe_code, reason = "a constructor placed in the loader's table")]
    #[unsafe(link_section = ".init_array.00100")]
    static CONFIGURE: extern "C" fn() = configure;

    /// Freed pages are given back to the operating system at once rather than after a second,
    /// and an arena's memory is committed as it is used rather than all at once: without these
    /// the idle server held about 115 MiB where glibc's allocator held 87, with them about 70.
    #[allow(unsafe_code, reason = "two calls that set an integer option")]
    extern "C" fn configure() {
        // SAFETY: setting an option only stores its value, and allocates nothing.
        unsafe {
            mi::mi_option_set(PURGE_DELAY, 0);
            mi::mi_option_set(ARENA_EAGER_COMMIT, 0);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        #[allow(unsafe_code, reason = "reading mimalloc's options")]
        fn the_options_are_set_before_main() {
            // SAFETY: reading an option has no precondition.
            let read = |option| unsafe { mi::mi_option_get(option) };
            assert_eq!((read(ARENA_EAGER_COMMIT), read(PURGE_DELAY)), (0, 0));
            // Their neighbours keep mimalloc's defaults: the numbers name the options meant.
            let (purge_decommits, use_numa_nodes) = (5, 16);
            assert_eq!((read(purge_decommits), read(use_numa_nodes)), (1, 0));
        }
    }
}
