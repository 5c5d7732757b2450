//! The RabbitMQ bus of the distributed deployment.

use std::sync::Arc;

use anyhow::Context;
use attune_bus::{Bus, RabbitBus, RabbitOptions};

use crate::compose::redact;

/// Connects to RabbitMQ at `url`; queue names start with `prefix` (so that several
/// deployments can share one broker).
pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Arc<dyn Bus>> {
    let bus = RabbitBus::connect(url, RabbitOptions::with_prefix(prefix))
        .await
        .with_context(|| format!("cannot reach the message bus at {}", redact(url)))?;
    Ok(Arc::new(bus))
}
