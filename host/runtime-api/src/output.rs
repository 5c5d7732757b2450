//! Output produced while an action runs: live lines and bounded capture.
//!
//! Lines go to an [`OutputSink`] as soon as they are produced (the worker forwards them to
//! the execution's stored output and the live stream). Each stream is also captured into a
//! [`BoundedCapture`] so that a runaway action cannot exhaust the host's memory: past the
//! limit, bytes are counted but dropped and the capture is flagged as truncated.

use serde::{Deserialize, Serialize};

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// The action's standard output.
    Stdout,
    /// The action's standard error.
    Stderr,
    /// A line written through the WIT `log` interface.
    Log,
}

/// One line of output, without its line terminator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputLine {
    /// Where the line came from.
    pub stream: Stream,
    /// Log level for [`Stream::Log`] lines (`trace`, `debug`, `info`, `warn`, `error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The text.
    pub text: String,
}

/// Receives output lines as they are produced. Implementations must not block: the runtime
/// calls this from its capture path.
pub trait OutputSink: Send + Sync {
    /// Called once per line, in production order for each stream.
    fn emit(&self, line: OutputLine);
}

/// Drops every line.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl OutputSink for NullSink {
    fn emit(&self, _line: OutputLine) {}
}

impl<F: Fn(OutputLine) + Send + Sync> OutputSink for F {
    fn emit(&self, line: OutputLine) {
        self(line)
    }
}

/// Captured text of one stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CapturedText {
    /// What was kept (at most the limit, cut at a character boundary), followed by a
    /// truncation notice when bytes were dropped.
    pub text: String,
    /// True when bytes were dropped.
    pub truncated: bool,
    /// How many bytes the action produced in total on this stream.
    pub total_bytes: u64,
}

/// Accumulates a stream up to a byte limit.
#[derive(Debug)]
pub struct BoundedCapture {
    limit: usize,
    kept: String,
    total_bytes: u64,
    truncated: bool,
}

impl BoundedCapture {
    /// A capture keeping at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { limit, kept: String::new(), total_bytes: 0, truncated: false }
    }

    /// Appends `chunk`. Returns `true` when this call is the one that started dropping bytes,
    /// so the caller can emit a truncation notice exactly once.
    pub fn push(&mut self, chunk: &str) -> bool {
        self.total_bytes += chunk.len() as u64;
        if self.truncated {
            return false;
        }
        let room = self.limit - self.kept.len();
        if chunk.len() <= room {
            self.kept.push_str(chunk);
            return false;
        }
        let mut cut = room;
        while !chunk.is_char_boundary(cut) {
            cut -= 1;
        }
        self.kept.push_str(&chunk[..cut]);
        self.truncated = true;
        true
    }

    /// True once bytes have been dropped.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The bytes kept so far.
    pub fn as_str(&self) -> &str {
        &self.kept
    }

    /// The notice appended to a truncated stream.
    pub fn truncation_notice(limit: usize) -> String {
        format!("[output truncated: only the first {limit} bytes were kept]")
    }

    /// Ends the capture.
    pub fn finish(self) -> CapturedText {
        let mut text = self.kept;
        if self.truncated {
            if !text.ends_with('\n') && !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&Self::truncation_notice(self.limit));
        }
        CapturedText { text, truncated: self.truncated, total_bytes: self.total_bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_under_the_limit() {
        let mut capture = BoundedCapture::new(16);
        assert!(!capture.push("hello "));
        assert!(!capture.push("world"));
        let text = capture.finish();
        assert_eq!(text.text, "hello world");
        assert!(!text.truncated);
        assert_eq!(text.total_bytes, 11);
    }

    #[test]
    fn truncates_at_a_char_boundary_and_reports_once() {
        let mut capture = BoundedCapture::new(5);
        assert!(capture.push("abcdé")); // 'é' is 2 bytes: it would end at byte 6
        assert!(!capture.push("more"));
        let text = capture.finish();
        assert!(text.truncated);
        assert_eq!(text.total_bytes, 10);
        assert!(text.text.starts_with("abcd\n[output truncated"), "{}", text.text);
    }
}
