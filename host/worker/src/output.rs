//! Output lines, written to the store in batches as they are produced, so that a reader
//! (the API's output route) sees them while the action runs; each stored line is then
//! broadcast as a notice for live views (`/api/v1/stream`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use attune_bus::{Bus, Notice};
use attune_domain::Id;
use attune_runtime_api::{OutputLine, OutputSink, Stream};
use attune_services::notify::broadcast;
use attune_services::secret_params::{Redactor, mask_spanning};
use attune_store::Store;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Largest batch written at once.
const BATCH: usize = 256;
/// Longest a line waits before it is written.
const LINGER: Duration = Duration::from_millis(50);

/// An [`OutputSink`] that masks secrets in each line and queues it for a background
/// writer.
///
/// A line that ends with the start of a secret is held back until the next line of its
/// stream arrives (or the output ends): if that line holds the rest, the secret printed in
/// two pieces is masked in both. Each stream remembers the end of its last line for the
/// same check when nothing was held.
pub struct StoreOutput {
    lines: mpsc::UnboundedSender<OutputLine>,
    redactor: Redactor,
    streams: Mutex<HashMap<Stream, Recent>>,
}

/// The last line of one stream: held back, or already sent.
enum Recent {
    Held(OutputLine),
    Sent(String),
}

impl OutputSink for StoreOutput {
    fn emit(&self, mut line: OutputLine) {
        if self.redactor.is_empty() {
            self.send(line);
            return;
        }
        line.text = self.redactor.text(&line.text);
        let mut streams = self.streams.lock().expect("output streams lock");
        match streams.remove(&line.stream) {
            Some(Recent::Held(mut held)) => {
                let found = self.redactor.spanning(&held.text, &line.text);
                (held.text, line.text) = mask_spanning(&held.text, &line.text, found);
                self.send(held);
            }
            Some(Recent::Sent(tail)) => {
                let found = self.redactor.spanning(&tail, &line.text);
                line.text = mask_spanning(&tail, &line.text, (0, found.1)).1;
            }
            None => {}
        }
        if self.redactor.may_continue(&line.text) {
            streams.insert(line.stream, Recent::Held(line));
        } else {
            streams.insert(line.stream, Recent::Sent(line.text.clone()));
            self.send(line);
        }
    }
}

impl StoreOutput {
    fn send(&self, line: OutputLine) {
        // The writer only stops after the sink is dropped; a send error cannot happen while
        // the runtime still holds the sink.
        let _ = self.lines.send(line);
    }
}

impl Drop for StoreOutput {
    fn drop(&mut self) {
        let streams = std::mem::take(self.streams.get_mut().expect("output streams lock"));
        for recent in streams.into_values() {
            if let Recent::Held(line) = recent {
                self.send(line);
            }
        }
    }
}

/// The writer behind a [`StoreOutput`]; [`OutputWriter::finish`] waits until every line
/// emitted so far is stored.
pub struct OutputWriter {
    task: JoinHandle<()>,
}

impl OutputWriter {
    /// Waits for the remaining lines to be written (call after the sink is dropped).
    pub async fn finish(self) {
        if let Err(error) = self.task.await {
            tracing::error!(%error, "output writer failed");
        }
    }
}

/// Where the lines of one execution go.
struct Destination {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    execution: Id,
}

/// A sink for execution `execution`, masking what `redactor` knows, and its writer.
pub fn store_output(
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    execution: Id,
    redactor: Redactor,
) -> (Arc<StoreOutput>, OutputWriter) {
    let to = Destination { store, bus, execution };
    let (sender, mut receiver) = mpsc::unbounded_channel::<OutputLine>();
    let task = tokio::spawn(async move {
        let mut batch: Vec<(String, String)> = Vec::new();
        loop {
            let next = if batch.is_empty() {
                receiver.recv().await
            } else {
                match tokio::time::timeout(LINGER, receiver.recv()).await {
                    Ok(line) => line,
                    Err(_) => {
                        write(&to, &mut batch).await;
                        continue;
                    }
                }
            };
            match next {
                Some(line) => {
                    batch.push((stream_name(line.stream).to_owned(), line.text));
                    if batch.len() >= BATCH {
                        write(&to, &mut batch).await;
                    }
                }
                None => {
                    write(&to, &mut batch).await;
                    return;
                }
            }
        }
    });
    (Arc::new(StoreOutput { lines: sender, redactor, streams: Mutex::default() }), OutputWriter { task })
}

/// Stores `batch` and, once stored, broadcasts its lines.
async fn write(to: &Destination, batch: &mut Vec<(String, String)>) {
    if batch.is_empty() {
        return;
    }
    match to.store.append_output(to.execution, batch).await {
        Ok(first) => {
            for (seq, (stream, text)) in (first..).zip(batch.iter()) {
                broadcast(to.bus.as_ref(), &Notice::execution_output(to.execution, seq, stream, text)).await;
            }
        }
        Err(error) => tracing::error!(%error, execution = to.execution, lines = batch.len(), "output lines not stored"),
    }
    batch.clear();
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stdout => "stdout",
        Stream::Stderr => "stderr",
        Stream::Log => "log",
    }
}
