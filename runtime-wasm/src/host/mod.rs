//! What a guest's store holds, and the host side of the `attune:automation` interfaces.
//!
//! A fresh [`HostState`] is built for every execution and dropped with its store: secrets,
//! configuration, captured output and WASI resources of one execution are never visible to
//! another. Each interface is implemented in its own module.

mod artifacts;
mod config;
mod kv;
mod log;
mod secrets;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use attune_runtime_api::{ArtifactSet, CapturedText, KvStore, Limits, OutputSink, PublishedArtifact, Stream};
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::bindings;
use crate::capture::{CapturePipe, StreamCapture};
use crate::http_policy::{HostAllowlist, HttpPolicy};
use crate::limits::{Deadline, MemoryLimiter};

/// What an execution (or a sensor poll) is given: its grants, fixed before the guest runs.
pub(crate) struct Grants {
    /// Secrets the guest may read, by name.
    pub(crate) secrets: BTreeMap<String, String>,
    /// The pack configuration (a JSON object).
    pub(crate) pack_config: serde_json::Value,
    /// The pack-scoped datastore.
    pub(crate) kv: Arc<dyn KvStore>,
    /// Hosts reachable through `wasi:http`.
    pub(crate) allowed_hosts: Vec<String>,
    /// Who runs, for audit lines: e.g. `action examples.echo (execution 42)`.
    pub(crate) requester: String,
}

/// The data of one execution's store.
pub(crate) struct HostState {
    /// Built on the guest's first WASI call: guests that never use WASI (most WAT guests)
    /// don't pay for seeding its random generators.
    wasi: Option<WasiCtx>,
    stdout: CapturePipe,
    stderr: CapturePipe,
    http: WasiHttpCtx,
    http_policy: HttpPolicy,
    table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) deadline: Deadline,
    secrets: BTreeMap<String, String>,
    denied_secrets: Vec<String>,
    pack_config: serde_json::Value,
    kv: Arc<dyn KvStore>,
    log: StreamCapture,
    requester: String,
    artifacts: ArtifactSet,
}

/// What a finished store hands back beyond the call's result.
pub(crate) struct Leftovers {
    /// The execution's log lines.
    pub(crate) log: CapturedText,
    /// Secret names the guest asked for without being granted them.
    pub(crate) denied_secrets: Vec<String>,
    /// What the guest published.
    pub(crate) artifacts: Vec<PublishedArtifact>,
}

/// The streams an execution writes to, shared between its store and its runner.
pub(crate) struct Captures {
    pub(crate) stdout: Arc<Mutex<StreamCapture>>,
    pub(crate) stderr: Arc<Mutex<StreamCapture>>,
}

impl Captures {
    /// Empty captures of `limit` bytes each, forwarding to `sink`.
    pub(crate) fn new(limit: usize, sink: &Arc<dyn OutputSink>) -> Self {
        let capture = |stream| Arc::new(Mutex::new(StreamCapture::new(stream, limit, sink.clone())));
        Self { stdout: capture(Stream::Stdout), stderr: capture(Stream::Stderr) }
    }
}

impl HostState {
    /// The state of one execution: the grants, and a sandboxed WASI context (see
    /// [`sandboxed_wasi`]) writing into `captures`.
    pub(crate) fn new(
        grants: Grants,
        limits: &Limits,
        deadline: Deadline,
        captures: &Captures,
        sink: &Arc<dyn OutputSink>,
    ) -> Self {
        Self {
            wasi: None,
            stdout: CapturePipe::new(captures.stdout.clone()),
            stderr: CapturePipe::new(captures.stderr.clone()),
            http: WasiHttpCtx::new(),
            http_policy: HttpPolicy::new(HostAllowlist::new(&grants.allowed_hosts), grants.requester.clone()),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(limits.memory_bytes),
            deadline,
            secrets: grants.secrets,
            denied_secrets: Vec::new(),
            pack_config: grants.pack_config,
            kv: grants.kv,
            log: StreamCapture::new(Stream::Log, limits.output_bytes, sink.clone()),
            requester: grants.requester,
            artifacts: ArtifactSet::new(limits.artifact_bytes),
        }
    }

    /// Ends the execution's log; returns it with the refused secret names and the artifacts.
    pub(crate) fn finish(mut self) -> Leftovers {
        Leftovers {
            log: self.log.finish(),
            denied_secrets: self.denied_secrets,
            artifacts: self.artifacts.into_items(),
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let (stdout, stderr) = (&self.stdout, &self.stderr);
        let ctx = self.wasi.get_or_insert_with(|| sandboxed_wasi(stdout, stderr));
        WasiCtxView { ctx, table: &mut self.table }
    }
}

/// The WASI context of a guest: no preopened directories, no environment variables, no
/// arguments, stdin closed (empty), no TCP, UDP or name lookups; stdout and stderr into the
/// execution's captures.
fn sandboxed_wasi(stdout: &CapturePipe, stderr: &CapturePipe) -> WasiCtx {
    WasiCtx::builder()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .build()
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.http_policy }
    }
}

/// A linker with everything a guest of either world may import: WASI 0.2 (sandboxed by
/// [`HostState`]), `wasi:http` (behind the allowlist) and our interfaces.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    bindings::log::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |state| state)?;
    bindings::secrets::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |state| state)?;
    bindings::config::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |state| state)?;
    bindings::kv::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |state| state)?;
    bindings::artifacts::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |state| state)?;
    Ok(linker)
}
