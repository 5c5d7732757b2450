//! Measuring the tree: its anonymous memory and its number of tasks, from the sandbox's own
//! `/proc`, which shows the tree's processes and nothing else.
//!
//! Per-process limits (`RLIMIT_DATA`, `RLIMIT_NPROC`) stop one process from growing past
//! them, but not a tree of many; the first process looks at the whole tree every few
//! milliseconds and ends it when it is over its limits, so that the execution fails with
//! the limit's name rather than with whatever error a refused allocation or fork caused.

use crate::sandbox::spec::{LimitReached, ProcessLimits};

/// Looks at the tree against its limits, and remembers its peak memory.
pub struct Watch {
    memory_bytes: u64,
    processes: u64,
    peak_memory: u64,
}

impl Watch {
    /// A watch for `limits`.
    pub fn new(limits: &ProcessLimits) -> Self {
        Self { memory_bytes: limits.memory_bytes, processes: limits.processes, peak_memory: 0 }
    }

    /// Measures the tree now; the limit it is over, if any.
    pub fn look(&mut self) -> Option<LimitReached> {
        let usage = measure();
        self.peak_memory = self.peak_memory.max(usage.anonymous_bytes);
        if usage.anonymous_bytes > self.memory_bytes {
            Some(LimitReached::Memory)
        } else if usage.tasks >= self.processes {
            Some(LimitReached::Processes)
        } else {
            None
        }
    }

    /// The most anonymous memory the tree has been seen to use.
    pub fn peak_memory(&self) -> u64 {
        self.peak_memory
    }
}

/// What the tree uses at one moment.
#[derive(Debug, Default, PartialEq, Eq)]
struct Usage {
    anonymous_bytes: u64,
    tasks: u64,
}

/// Every process of the namespace but the first (this one).
fn measure() -> Usage {
    let mut usage = Usage::default();
    let Ok(entries) = std::fs::read_dir("/proc") else { return usage };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        if pid == "1" {
            continue;
        }
        // A process may end between the listing and the read: it then counts for nothing.
        if let Ok(status) = std::fs::read_to_string(entry.path().join("status")) {
            let (anonymous, tasks) = parse_status(&status);
            usage.anonymous_bytes += anonymous;
            usage.tasks += tasks;
        }
    }
    usage
}

/// `RssAnon` (in bytes) and `Threads` of a `/proc/<pid>/status`.
fn parse_status(status: &str) -> (u64, u64) {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("RssAnon:") * 1024, field("Threads:").max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_files_give_anonymous_memory_and_threads() {
        let status = "Name:\tpython3\nVmRSS:\t  20000 kB\nRssAnon:\t   12000 kB\nRssFile:\t 8000 kB\nThreads:\t3\n";
        assert_eq!(parse_status(status), (12000 * 1024, 3));
        assert_eq!(parse_status("Name:\tzombie\n"), (0, 1), "a zombie still takes a process slot");
    }
}
