//! Log output and traces, from configuration (`RUST_LOG` wins for the log level when set).
//!
//! One subscriber per process: the formatting layer writes logs at the configured level,
//! and the OpenTelemetry layer (`attune_telemetry::trace`) gives Attune's spans their trace
//! context whatever the log level, so that propagation never depends on what is logged.

use attune_config::{LogConfig, LogFormat, TracesConfig};
use attune_telemetry::trace::{TraceError, TraceSettings, Tracing};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Installs the global subscriber, its spans exported as `service` when a collector is
/// configured. Logs go to stderr so that stdout stays for output meant for people and
/// scripts. The returned guard flushes the last spans when dropped.
pub fn init(config: &LogConfig, traces: &TracesConfig, service: &str) -> Result<Tracing, TraceError> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let (otel, tracing) = attune_telemetry::trace::layer(&TraceSettings {
        service: service.to_owned(),
        // Empty means unset (as `docker-compose.yaml` passes an unset variable on).
        otlp_endpoint: traces.otlp_endpoint.clone().filter(|endpoint| !endpoint.is_empty()),
        sample_ratio: traces.sample_ratio,
    })?;
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match config.format {
        LogFormat::Text => logs.boxed(),
        LogFormat::Json => logs.json().boxed(),
    };
    tracing_subscriber::registry().with(logs.with_filter(filter)).with(otel).init();
    Ok(tracing)
}
