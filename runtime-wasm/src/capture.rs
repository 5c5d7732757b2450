//! Capturing what a guest writes: stdout, stderr (through WASI) and log lines (through the
//! WIT `log` interface).
//!
//! Every stream is cut into lines. Each line is kept in a [`BoundedCapture`] (so a runaway
//! guest cannot exhaust the host's memory) and, while the stream is under its limit, sent at
//! once to the execution's [`OutputSink`]. When a stream passes its limit the sink gets one
//! truncation notice and nothing more from that stream; the guest is not told, its writes
//! keep succeeding.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use attune_runtime_api::{BoundedCapture, CapturedText, OutputLine, OutputSink, Stream};
use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// A partial line longer than this is emitted as a line of its own, so that output without
/// newlines still reaches the sink and the pending buffer stays small.
const MAX_PENDING_LINE: usize = 64 << 10;

/// One captured stream.
pub(crate) struct StreamCapture {
    stream: Stream,
    limit: usize,
    kept: BoundedCapture,
    pending: Vec<u8>,
    /// Bytes dropped without being offered to `kept` (once it is truncated).
    dropped: u64,
    sink: Arc<dyn OutputSink>,
}

impl StreamCapture {
    /// A capture of `stream` keeping `limit` bytes and forwarding lines to `sink`.
    pub(crate) fn new(stream: Stream, limit: usize, sink: Arc<dyn OutputSink>) -> Self {
        Self { stream, limit, kept: BoundedCapture::new(limit), pending: Vec::new(), dropped: 0, sink }
    }

    /// Appends raw bytes (stdout/stderr): complete lines are kept and emitted, the rest waits
    /// for its newline.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        if self.kept.is_truncated() {
            self.count_dropped(bytes.len());
            return;
        }
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.push_line(None, &String::from_utf8_lossy(&line[..end]));
        }
        if self.pending.len() > MAX_PENDING_LINE {
            let line = std::mem::take(&mut self.pending);
            self.push_line(None, &String::from_utf8_lossy(&line));
        }
    }

    /// Appends one log line at `level`; embedded newlines make several lines.
    pub(crate) fn log(&mut self, level: &str, message: &str) {
        for line in message.trim_end_matches('\n').split('\n') {
            self.push_line(Some(level), line);
        }
    }

    fn push_line(&mut self, level: Option<&str>, text: &str) {
        let stored = match level {
            Some(level) => format!("[{level}] {text}\n"),
            None => format!("{text}\n"),
        };
        if self.kept.is_truncated() {
            self.count_dropped(stored.len());
            return;
        }
        let started_truncating = self.kept.push(&stored);
        if !self.kept.is_truncated() {
            self.emit(level, text.to_owned());
        } else if started_truncating {
            self.emit(level, BoundedCapture::truncation_notice(self.limit));
        }
    }

    fn count_dropped(&mut self, bytes: usize) {
        self.dropped += bytes as u64;
    }

    fn emit(&self, level: Option<&str>, text: String) {
        self.sink.emit(OutputLine { stream: self.stream, level: level.map(str::to_owned), text });
    }

    /// Ends the capture: flushes a last line without newline and returns what was kept.
    pub(crate) fn finish(&mut self) -> CapturedText {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&line).into_owned();
            if self.kept.is_truncated() {
                self.count_dropped(line.len());
            } else if !self.kept.push(&text) && !self.kept.is_truncated() {
                self.emit(None, text);
            } else {
                self.emit(None, BoundedCapture::truncation_notice(self.limit));
            }
        }
        let kept = std::mem::replace(&mut self.kept, BoundedCapture::new(self.limit));
        let mut text = kept.finish();
        text.total_bytes += std::mem::take(&mut self.dropped);
        text
    }
}

/// A stdout or stderr handed to WASI: every stream the guest opens writes into the same
/// [`StreamCapture`].
#[derive(Clone)]
pub(crate) struct CapturePipe(Arc<Mutex<StreamCapture>>);

impl CapturePipe {
    /// A pipe into `capture`.
    pub(crate) fn new(capture: Arc<Mutex<StreamCapture>>) -> Self {
        Self(capture)
    }

    fn write(&self, bytes: &[u8]) {
        self.0.lock().expect("capture lock poisoned").write(bytes);
    }
}

impl IsTerminal for CapturePipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturePipe {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

#[async_trait::async_trait]
impl OutputStream for CapturePipe {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        CapturePipe::write(self, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        // Always ready: writes are copied synchronously into the capture.
        Ok(MAX_PENDING_LINE)
    }
}

#[async_trait::async_trait]
impl Pollable for CapturePipe {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CapturePipe {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(limit: usize) -> (StreamCapture, Arc<Mutex<Vec<OutputLine>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let sink: Arc<dyn OutputSink> = Arc::new(move |line: OutputLine| seen.lock().unwrap().push(line));
        (StreamCapture::new(Stream::Stdout, limit, sink), lines)
    }

    #[test]
    fn splits_writes_into_lines_across_chunks() {
        let (mut capture, lines) = capture(1024);
        capture.write(b"hel");
        capture.write(b"lo\nwor");
        capture.write(b"ld\nlast");
        let text = capture.finish();
        assert_eq!(text.text, "hello\nworld\nlast");
        assert!(!text.truncated);
        let texts: Vec<_> = lines.lock().unwrap().iter().map(|l| l.text.clone()).collect();
        assert_eq!(texts, ["hello", "world", "last"]);
    }

    #[test]
    fn stops_emitting_past_the_limit_and_counts_everything() {
        let (mut capture, lines) = capture(10);
        for _ in 0..100 {
            capture.write(b"0123\n");
        }
        let text = capture.finish();
        assert!(text.truncated);
        assert_eq!(text.total_bytes, 500);
        assert!(text.text.starts_with("0123\n0123\n"), "{}", text.text);
        assert!(text.text.contains("[output truncated"), "{}", text.text);
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 3, "two lines, then one notice: {lines:?}");
        assert!(lines[2].text.contains("truncated"));
    }

    #[test]
    fn log_lines_carry_their_level() {
        let (mut capture, lines) = capture(1024);
        capture.log("warn", "two\nlines");
        assert_eq!(capture.finish().text, "[warn] two\n[warn] lines\n");
        let lines = lines.lock().unwrap();
        assert_eq!(lines[0].level.as_deref(), Some("warn"));
        assert_eq!(lines[1].text, "lines");
    }
}
