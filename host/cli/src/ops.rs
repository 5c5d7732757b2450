//! The operators' side of each role: who may read `/metrics` (`ops.metrics`), what
//! `/health/ready` checks, and the listener (`ops.listen`) through which the roles without
//! an API (executor, worker, sensor) serve both.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use async_trait::async_trait;
use attune_config::Config;
use attune_domain::Id;
use attune_domain::status::WorkerStatus;
use attune_services::Platform;
use attune_services::observe::PlatformProbes;
use attune_telemetry::ops::{Check, MetricsAccess, Probes};
use tokio_util::sync::CancellationToken;

use crate::environment::Inherited;

/// The variable that holds the metrics token when `ops.metrics` is `token`.
const TOKEN_VARIABLE: &str = "ATTUNE_METRICS_TOKEN";

/// Who may read `/metrics`, from `ops.metrics` and, for `token`, `ATTUNE_METRICS_TOKEN`.
pub fn metrics_access(config: &Config, env: &Inherited) -> anyhow::Result<MetricsAccess> {
    Ok(match config.ops.metrics {
        attune_config::MetricsAccess::Open => MetricsAccess::Open,
        attune_config::MetricsAccess::Off => MetricsAccess::Off,
        attune_config::MetricsAccess::Token => match env.get(TOKEN_VARIABLE) {
            Some(token) if token.trim().len() >= 16 => MetricsAccess::token(token.trim()),
            Some(_) => bail!("{TOKEN_VARIABLE} must be at least 16 characters"),
            None => bail!("ops.metrics is `token` but {TOKEN_VARIABLE} is not set"),
        },
    })
}

/// The readiness of a role: the store and the bus, and for a process running a worker,
/// that worker's registration (current heartbeat, at least one runtime).
pub struct RoleProbes {
    platform: PlatformProbes,
    store: Arc<dyn attune_store::Store>,
    worker: Option<Id>,
}

impl RoleProbes {
    /// Probes of a role on `platform`; `gauges` for the process that exports the gauges
    /// read from the store (the API, the embedded server); `worker` when it runs one.
    pub fn new(platform: &Platform, gauges: bool, worker: Option<Id>) -> Self {
        Self { platform: PlatformProbes::new(platform.clone(), gauges), store: platform.store.clone(), worker }
    }

    async fn runtimes_ready(&self, worker: Id) -> bool {
        match self.store.get_worker(worker).await {
            Ok(row) => matches!(row.status, WorkerStatus::Active | WorkerStatus::Busy) && !row.runner_types.is_empty(),
            Err(error) => {
                tracing::warn!(%error, "readiness: cannot read this worker's registration");
                false
            }
        }
    }
}

#[async_trait]
impl Probes for RoleProbes {
    async fn ready(&self) -> Vec<Check> {
        let mut checks = self.platform.ready().await;
        if let Some(worker) = self.worker {
            checks.push(Check { name: "runtimes", ok: self.runtimes_ready(worker).await });
        }
        checks
    }

    async fn refresh(&self) {
        self.platform.refresh().await;
    }
}

/// Serves `/metrics`, `/health/live` and `/health/ready` on `ops.listen`, if set, until
/// `shutdown`; for the roles without an API.
pub async fn spawn_listener(
    config: &Config,
    env: &Inherited,
    probes: RoleProbes,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let Some(listen) = &config.ops.listen else { return Ok(()) };
    let address: SocketAddr = listen.parse().with_context(|| format!("ops.listen '{listen}' is not host:port"))?;
    let router = attune_telemetry::ops::router(Arc::new(probes), metrics_access(config, env)?);
    let listener =
        tokio::net::TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))?;
    println!("metrics and health probes on http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let stop = async move { shutdown.cancelled().await };
        if let Err(error) = attune_telemetry::ops::serve_on(listener, router, stop).await {
            tracing::error!(%error, "the metrics and health listener stopped");
        }
    });
    Ok(())
}
