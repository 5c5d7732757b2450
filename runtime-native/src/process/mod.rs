//! Running a child process under supervision.
//!
//! This is the part of the crate that knows nothing about actions: a [`ProcessSpec`]
//! (program, arguments, complete environment, input) is started in its own process group
//! and [`supervise`]d to its end under a [`SupervisionPolicy`]. Actions use it with a
//! timeout and an output limit; environment builds use it for `pip` and `npm`; a native
//! sensor can use it with no timeout and no output limit, reading its events from the
//! lines it emits, and start it again when it ends.

mod capture;
mod group;
mod lines;
mod spawn;
mod supervisor;

use std::sync::Arc;

use attune_runtime_api::OutputSink;
use tokio_util::sync::CancellationToken;

pub use capture::MAX_LINE_BYTES;
pub use group::ProcessGroup;
pub use spawn::{ProcessSpec, SpawnedProcess};
pub use supervisor::{Ending, Supervised, SupervisionPolicy, supervise};

/// Starts `spec` and supervises it to its end.
pub async fn run(
    spec: ProcessSpec,
    policy: &SupervisionPolicy,
    sink: Arc<dyn OutputSink>,
    cancel: &CancellationToken,
) -> std::io::Result<Supervised> {
    let process = spec.spawn()?;
    Ok(supervise(process, policy, sink, cancel).await)
}
