//! Reading one output stream of a child: live lines to the sink, a bounded copy kept.
//!
//! With a limit, the first `limit` bytes are kept and streamed; the line that crosses the
//! limit is replaced by a truncation notice, the supervisor is told (it stops the process),
//! and everything after is counted but dropped. The pipe is still drained so that a child
//! blocked on a full pipe can see its signals rather than hang. Without a limit (a
//! long-running process such as a sensor), every line is streamed and nothing is kept.

use std::sync::Arc;

use attune_runtime_api::{BoundedCapture, CapturedText, OutputLine, OutputSink, Stream};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::lines::{Line, LineSplitter};

/// Lines longer than this are delivered to the sink in pieces (a reader of events, one per
/// line, must keep its lines shorter).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Size of one read from the pipe.
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// One stream being read.
pub(crate) struct StreamCapture {
    /// Which stream this is.
    pub stream: Stream,
    /// Bytes kept and streamed; `None` streams everything and keeps nothing.
    pub limit: Option<usize>,
    /// Receives each line as it is read.
    pub sink: Arc<dyn OutputSink>,
    /// Told once when the limit is crossed.
    pub limit_reached: mpsc::Sender<Stream>,
}

impl StreamCapture {
    /// Reads until end of file or until `stop` is cancelled, then returns what was kept.
    pub async fn run<R: AsyncRead + Unpin>(self, mut reader: R, stop: CancellationToken) -> CapturedText {
        let mut kept = self.limit.map(BoundedCapture::new);
        let mut streamed_bytes = 0u64;
        let mut splitter = LineSplitter::new(MAX_LINE_BYTES);
        let mut buffer = vec![0u8; READ_CHUNK_BYTES];
        let mut lines = Vec::new();
        loop {
            let read = tokio::select! {
                biased;
                read = reader.read(&mut buffer) => read,
                () = stop.cancelled() => break,
            };
            match read {
                Ok(0) | Err(_) => break,
                Ok(n) => splitter.push(&buffer[..n], &mut lines),
            }
            for line in lines.drain(..) {
                self.deliver(line, &mut kept, &mut streamed_bytes);
            }
        }
        if let Some(line) = splitter.finish() {
            self.deliver(line, &mut kept, &mut streamed_bytes);
        }
        match kept {
            Some(capture) => capture.finish(),
            None => CapturedText { text: String::new(), truncated: false, total_bytes: streamed_bytes },
        }
    }

    fn deliver(&self, line: Line, kept: &mut Option<BoundedCapture>, streamed_bytes: &mut u64) {
        let Some(capture) = kept else {
            *streamed_bytes += line.text.len() as u64 + u64::from(line.terminated);
            self.emit(line.text);
            return;
        };
        if capture.is_truncated() {
            capture.push(&line.text);
            if line.terminated {
                capture.push("\n");
            }
            return;
        }
        // Not `||`: the newline must be counted even when the text alone crossed the limit.
        let crossed = capture.push(&line.text) | (line.terminated && capture.push("\n"));
        if crossed {
            let limit = self.limit.unwrap_or_default();
            self.emit(BoundedCapture::truncation_notice(limit));
            // The supervisor may already have stopped listening; then it no longer matters.
            let _ = self.limit_reached.try_send(self.stream);
        } else {
            self.emit(line.text);
        }
    }

    fn emit(&self, text: String) {
        self.sink.emit(OutputLine { stream: self.stream, level: None, text });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    async fn capture(input: &'static [u8], limit: Option<usize>) -> (CapturedText, Vec<String>, Option<Stream>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let recorded = lines.clone();
        let sink: Arc<dyn OutputSink> = Arc::new(move |line: OutputLine| recorded.lock().unwrap().push(line.text));
        let (tx, mut rx) = mpsc::channel(1);
        let capture = StreamCapture { stream: Stream::Stderr, limit, sink, limit_reached: tx };
        let text = capture.run(input, CancellationToken::new()).await;
        let lines = lines.lock().unwrap().clone();
        (text, lines, rx.try_recv().ok())
    }

    #[tokio::test]
    async fn under_the_limit_everything_is_kept_and_streamed() {
        let (text, lines, reached) = capture(b"a\nb\nc", Some(100)).await;
        assert_eq!(text.text, "a\nb\nc");
        assert!(!text.truncated);
        assert_eq!(lines, ["a", "b", "c"]);
        assert_eq!(reached, None);
    }

    #[tokio::test]
    async fn crossing_the_limit_streams_one_notice_and_reports_it() {
        let (text, lines, reached) = capture(b"1234\n5678\nabcd\nefgh\n", Some(7)).await;
        assert!(text.truncated);
        assert_eq!(text.total_bytes, 20);
        assert!(text.text.starts_with("1234\n56\n[output truncated"), "{}", text.text);
        assert_eq!(lines, ["1234", &BoundedCapture::truncation_notice(7)]);
        assert_eq!(reached, Some(Stream::Stderr));
    }

    #[tokio::test]
    async fn without_a_limit_everything_is_streamed_and_nothing_kept() {
        let (text, lines, _) = capture(b"x\ny\n", None).await;
        assert_eq!(text.text, "");
        assert_eq!(text.total_bytes, 4);
        assert_eq!(lines, ["x", "y"]);
    }
}
