//! The RabbitMQ bus of the distributed deployment.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use attune_bus::{Bus, RabbitBus, RabbitOptions};

use crate::compose::redact;

/// Connects to RabbitMQ at `url`; queue names start with `prefix` (so that several
/// deployments can share one broker).
pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Arc<dyn Bus>> {
    // Messages are hints: the store holds the work and the reconciler re-sends lost hints,
    // so a publish need not hold up an API request for long while the broker is away.
    let options = RabbitOptions { publish_timeout: Duration::from_secs(5), ..RabbitOptions::with_prefix(prefix) };
    let bus = RabbitBus::connect(url, options)
        .await
        .with_context(|| format!("cannot reach the message bus at {}", redact(url)))?;
    Ok(Arc::new(bus))
}
