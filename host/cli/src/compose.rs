//! The composition root: turns configuration into ready services. The only module that
//! names concrete backends (store, bus, runtimes).

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use attune_bus::Bus;
use attune_config::Config;
use attune_executor::ExecutorConfig;
use attune_runtime_api::{LimitPolicy, Limits};
use attune_security::{Cipher, ServerSecrets, TokenIssuer};
use attune_sensor::{RestartBackoff, SensorConfig, SensorDeps};
use attune_services::Platform;
use attune_services::artifact_files::ArtifactFiles;
use attune_worker::{WorkerConfig, WorkerDeps};

use attune_runtime_native::{NativeRuntimes, SandboxStatus};

use crate::environment::Inherited;
use crate::runtimes::{runtime_registry, wasm_runtime};

/// Opens the store (migrating it), loads or generates the server secrets (from `env` or
/// the data directory), and builds the shared platform handles around `bus`.
pub async fn platform(config: &Config, env: &Inherited, bus: Arc<dyn Bus>) -> anyhow::Result<Platform> {
    secure_data_dir(&config.data_dir)?;
    let url = config.database_url();
    let store =
        attune_store::connect(&url).await.with_context(|| format!("cannot open the database {}", redact(&url)))?;
    let secrets = ServerSecrets::load_or_generate(&config.data_dir, |name| env.get(name))
        .context("cannot load the server secrets")?;
    let tokens = TokenIssuer::new(
        &secrets.jwt_secret,
        Duration::from_secs(config.auth.access_token_ttl_s),
        Duration::from_secs(config.auth.refresh_token_ttl_s),
    );
    // Every role's traffic counted in its metrics.
    let bus: Arc<dyn Bus> = Arc::new(attune_bus::Metered::new(bus));
    let artifact_files = match &config.artifacts.dir {
        Some(dir) => Some(
            ArtifactFiles::open(dir)
                .with_context(|| format!("cannot create the artifact directory {}", dir.display()))?,
        ),
        None => None,
    };
    Ok(Platform { store, tokens, cipher: Cipher::new(&secrets.encryption_key), bus, artifact_files })
}

/// Creates the data directory readable by the server's user only (0700), and makes the
/// files it holds (database, secrets, caches: created 0600 under the server's umask) the
/// same if an earlier version left them wider.
fn secure_data_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let private = |path: &Path, mode: u32| -> anyhow::Result<()> {
        let current = std::fs::symlink_metadata(path)?.permissions().mode() & 0o777;
        if current & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .with_context(|| format!("cannot make {} private (mode {mode:o})", path.display()))?;
        }
        Ok(())
    };
    private(dir, 0o700)?;
    for file in ["attune.db", "attune.db-wal", "attune.db-shm", "jwt_secret", "encryption_key"] {
        let path = dir.join(file);
        if path.exists() {
            private(&path, 0o600)?;
        }
    }
    Ok(())
}

/// The configured bus: RabbitMQ for an `amqp://` URL.
pub async fn bus(config: &Config) -> anyhow::Result<Arc<dyn Bus>> {
    match config.bus.url.as_deref() {
        Some(url) if url.starts_with("amqp://") || url.starts_with("amqps://") => {
            crate::rabbitmq::connect(url, &config.bus.prefix).await
        }
        Some(other) => bail!("bus.url '{}' is not an amqp:// URL", redact(other)),
        None => bail!("no bus.url configured"),
    }
}

/// The bus a role of a distributed deployment shares with the others: `bus.url` is
/// required, since an in-process bus would reach no other process.
pub async fn shared_bus(config: &Config, role: &str) -> anyhow::Result<Arc<dyn Bus>> {
    if config.bus.url.is_none() {
        bail!(
            "the {role} role runs as its own process and needs bus.url (amqp://...) to reach the \
             others; to run every role in one process, use `attune server`"
        );
    }
    bus(config).await
}

/// Binds `server.listen`.
pub async fn listen(config: &Config) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))
}

/// Serves `app` (the API, or the notifier's part of it) on `listener` until `stop`
/// resolves; `name` is what the ready line calls it.
pub async fn serve(
    app: axum::Router,
    name: &str,
    listener: tokio::net::TcpListener,
    config: &Config,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "API ready");
    println!("{name} is listening on http://{address}");
    let header_timeout = Duration::from_secs(config.server.header_timeout_s.max(1));
    crate::http::serve(app, listener, header_timeout, stop).await.context("server failed")
}

/// What one request may cost, from `server.*` and `auth.*`.
pub fn http_limits(config: &Config) -> attune_api::HttpLimits {
    attune_api::HttpLimits {
        max_body_bytes: config.server.max_body_bytes,
        body_timeout: Duration::from_secs(config.server.body_timeout_s.max(1)),
        login_attempts_per_minute: config.auth.login_attempts_per_minute,
        login_failures_per_minute: config.auth.login_failures_per_minute,
        trusted_proxies: config.server.trusted_proxies.clone(),
        max_backlog: config.server.max_backlog,
    }
}

/// Default and maximum execution limits from `limits.*`.
pub fn limit_policy(config: &Config) -> LimitPolicy {
    let l = &config.limits;
    LimitPolicy {
        defaults: Limits {
            timeout: Duration::from_secs(l.timeout_s),
            fuel: l.fuel,
            memory_bytes: l.memory_mb << 20,
            output_bytes: l.output_bytes,
            artifact_bytes: l.artifact_bytes,
        },
        caps: Limits {
            timeout: Duration::from_secs(l.max_timeout_s),
            fuel: l.max_fuel,
            memory_bytes: l.max_memory_mb << 20,
            output_bytes: l.output_bytes,
            artifact_bytes: l.artifact_bytes,
        },
    }
}

/// Executor timings from `executor.*`, and worker liveness from `worker.dead_after_s`.
pub fn executor_config(config: &Config) -> ExecutorConfig {
    let e = &config.executor;
    ExecutorConfig {
        dead_after: Duration::from_secs(config.worker.dead_after_s),
        stale_after: Duration::from_secs(e.stale_after_s),
        unschedulable_after: Duration::from_secs(e.unschedulable_after_s),
        reconcile_every: Duration::from_secs(e.reconcile_every_s.max(1)),
    }
}

/// The worker's settings; `default_name` is used when `worker.name` is not configured
/// (otherwise `<host>-<pid>`); `sandbox` is what its native sandbox was found to be.
pub fn worker_config(config: &Config, default_name: Option<&str>, sandbox: &SandboxStatus) -> WorkerConfig {
    let name = config.worker.name.clone().unwrap_or_else(|| match default_name {
        Some(name) => name.to_owned(),
        None => format!("{}-{}", host_name(), std::process::id()),
    });
    WorkerConfig {
        name,
        concurrency: config.worker.concurrency,
        heartbeat_every: Duration::from_secs(config.worker.heartbeat_s.max(1)),
        limits: limit_policy(config),
        api_url: Some(api_url(config)),
        sandbox: serde_json::to_value(sandbox).ok(),
        packs_cache: config.packs_cache_dir(),
        ..WorkerConfig::named("")
    }
}

/// What a worker needs: the platform's store, bus, cipher and token issuer, and every runtime.
pub fn worker_deps(platform: &Platform, config: &Config, native: &NativeRuntimes) -> anyhow::Result<WorkerDeps> {
    Ok(WorkerDeps {
        store: platform.store.clone(),
        bus: platform.bus.clone(),
        cipher: platform.cipher.clone(),
        tokens: platform.tokens.clone(),
        registry: runtime_registry(config, &platform.cipher, native)?,
        artifact_files: platform.artifact_files.clone(),
    })
}

/// The sensor service's settings from `sensor.*`; WASM polls get the default execution
/// limits.
pub fn sensor_config(config: &Config) -> SensorConfig {
    let s = &config.sensor;
    SensorConfig {
        refresh_every: Duration::from_millis(s.refresh_ms.max(100)),
        default_poll_interval: Duration::from_secs(s.default_poll_interval_s.max(1)),
        restart: RestartBackoff {
            initial: Duration::from_millis(s.restart_initial_ms),
            max: Duration::from_millis(s.restart_max_ms.max(s.restart_initial_ms)),
            reset_after: Duration::from_secs(s.restart_reset_after_s),
        },
        limits: limit_policy(config),
        api_url: Some(api_url(config)),
        packs_cache: config.packs_cache_dir(),
    }
}

/// What the sensor service needs: the platform's store and bus, the WebAssembly runtime and
/// the native toolchain.
pub fn sensor_deps(platform: &Platform, config: &Config, native: &NativeRuntimes) -> anyhow::Result<SensorDeps> {
    Ok(SensorDeps {
        store: platform.store.clone(),
        bus: platform.bus.clone(),
        wasm: wasm_runtime(config, &platform.cipher)?,
        toolchain: native.toolchain().clone(),
    })
}

/// The URL actions and sensors call the API back on (`ATTUNE_API_URL`).
fn api_url(config: &Config) -> String {
    config.server.public_url.clone().unwrap_or_else(|| format!("http://{}", config.server.listen))
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into())
}

/// A URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// What the retention collector keeps, from `retention.*`.
pub fn retention(config: &Config, platform: &Platform) -> attune_services::retention::Retention {
    use attune_services::retention::{Keep, Retention};
    use attune_store::Collectable;
    let settings = &config.retention;
    let keep = |setting: &attune_config::KeepConfig| Keep {
        max_age: setting.max_age_days.map(|days| Duration::from_secs(u64::from(days) * 86_400)),
        max_count: setting.max_count,
    };
    let kinds = [
        (Collectable::Executions, &settings.executions),
        (Collectable::Output, &settings.output),
        (Collectable::Events, &settings.events),
        (Collectable::Enforcements, &settings.enforcements),
        (Collectable::Audit, &settings.audit),
        (Collectable::Artifacts, &settings.artifacts),
    ];
    Retention {
        every: Duration::from_secs(settings.every_s),
        batch: settings.batch.max(1),
        pause: Duration::from_millis(settings.pause_ms),
        keep: kinds
            .into_iter()
            .filter(|(_, setting)| setting.max_age_days.is_some() || setting.max_count.is_some())
            .map(|(kind, setting)| (kind, keep(setting)))
            .collect(),
        files: platform.artifact_files.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_passwords_in_urls() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:****@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://./.attune/attune.db"), "sqlite://./.attune/attune.db");
    }

    #[test]
    fn limits_come_from_configuration() {
        let mut config = Config::default();
        config.limits.memory_mb = 64;
        config.limits.max_timeout_s = 10;
        let policy = limit_policy(&config);
        assert_eq!(policy.defaults.memory_bytes, 64 << 20);
        assert_eq!(policy.caps.timeout, Duration::from_secs(10));
    }

    #[test]
    fn sensor_settings_come_from_configuration() {
        let mut config = Config::default();
        config.sensor.refresh_ms = 250;
        config.sensor.restart_initial_ms = 500;
        config.sensor.restart_max_ms = 100;
        let sensor = sensor_config(&config);
        assert_eq!(sensor.refresh_every, Duration::from_millis(250));
        assert_eq!(sensor.restart.initial, Duration::from_millis(500));
        assert_eq!(sensor.restart.max, Duration::from_millis(500), "the cap is never below the first delay");
        assert_eq!(sensor.api_url.as_deref(), Some("http://127.0.0.1:8080"));
    }
}
