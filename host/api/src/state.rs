//! What every handler shares.

use attune_telemetry::ops::{MetricsAccess, Probes};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use attune_services::Platform;

use crate::shedding::Shedding;
use crate::throttle::LoginThrottle;

/// Handler state: cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// Store, tokens and cipher.
    pub platform: Platform,
    /// The only place packs are registered from through the API.
    pub packs_dir: PathBuf,
    /// Where installed pack archives are unpacked, by digest.
    pub packs_cache: PathBuf,
    /// What one request may cost.
    pub limits: HttpLimits,
    /// What the native sandbox of this process's worker was found to be at start-up
    /// (shown by `/health`); `None` in a process that runs no worker.
    pub sandbox: Option<serde_json::Value>,
    /// Login attempts so far, per client and per login.
    pub login_throttle: Arc<LoginThrottle>,
    /// Output streams (`output?follow=true`) open now.
    pub output_followers: Arc<AtomicUsize>,
    /// Refuses new work while the pipeline is too far behind.
    pub shedding: Arc<Shedding>,
    /// What `/health/ready` checks and `/metrics` refreshes: by default the store and the
    /// bus, and the gauges read from the store.
    pub probes: Arc<dyn Probes>,
    /// Who may read `/metrics` (anyone, by default).
    pub metrics: MetricsAccess,
}

/// What one request may cost the server.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Largest accepted request body (larger: `413`).
    pub max_body_bytes: usize,
    /// Time a client has to send a whole request body (slower: `408`).
    pub body_timeout: Duration,
    /// Login attempts per client address per minute (`0`: unlimited).
    pub login_attempts_per_minute: u32,
    /// Failed logins per login per minute (`0`: unlimited).
    pub login_failures_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (else the peer address is
    /// the client).
    pub trusted_proxies: Vec<IpAddr>,
    /// Events and executions waiting at which new work is refused (`503`; `0`: never).
    pub max_backlog: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 10 << 20,
            body_timeout: Duration::from_secs(30),
            login_attempts_per_minute: 30,
            login_failures_per_minute: 10,
            trusted_proxies: Vec::new(),
            max_backlog: 0,
        }
    }
}

impl ApiState {
    /// The state of a process serving `platform`, registering packs from `packs_dir` and
    /// unpacking installed archives under `packs_cache`.
    pub fn new(platform: Platform, packs_dir: PathBuf, packs_cache: PathBuf, limits: HttpLimits) -> Self {
        let login_throttle =
            Arc::new(LoginThrottle::new(limits.login_attempts_per_minute, limits.login_failures_per_minute));
        let shedding = Shedding::start(platform.store.clone(), limits.max_backlog);
        let probes = Arc::new(attune_services::observe::PlatformProbes::new(platform.clone(), true));
        Self {
            probes,
            metrics: MetricsAccess::Open,
            shedding,
            platform,
            packs_dir,
            packs_cache,
            limits,
            sandbox: None,
            login_throttle,
            output_followers: Arc::default(),
        }
    }
}
