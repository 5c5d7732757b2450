//! [`Metered`]: a bus whose traffic is counted in the metrics (`attune_bus_*`): messages
//! published per queue kind and outcome, and messages delivered to this process (what
//! waits on the bus is read from the bus itself, [`Bus::depth`]). The composition root
//! wraps every role's bus in it, so that each implementation stays about moving messages.

use std::sync::Arc;

use async_trait::async_trait;
use attune_telemetry::record;

use crate::{Bus, BusError, Consumer, ConsumerStream, Delivery, Message, Notice, Queue, Subscription};

/// `inner`, counted.
#[derive(Clone)]
pub struct Metered {
    inner: Arc<dyn Bus>,
}

impl Metered {
    /// Counts the traffic of `inner`.
    pub fn new(inner: Arc<dyn Bus>) -> Self {
        Self { inner }
    }
}

#[async_trait]
impl Bus for Metered {
    async fn publish(&self, queue: &Queue, message: &Message) -> Result<(), BusError> {
        let published = self.inner.publish(queue, message).await;
        record::bus_published(queue.kind(), published.is_ok());
        published
    }

    async fn consume(&self, queue: &Queue) -> Result<Consumer, BusError> {
        let inner = self.inner.consume(queue).await?;
        Ok(Consumer::new(Counted { inner, kind: queue.kind() }))
    }

    async fn broadcast(&self, notice: &Notice) -> Result<(), BusError> {
        self.inner.broadcast(notice).await
    }

    async fn subscribe(&self) -> Result<Subscription, BusError> {
        self.inner.subscribe().await
    }

    async fn ready(&self) -> Result<(), BusError> {
        self.inner.ready().await
    }

    async fn depth(&self, queue: &Queue) -> Result<u64, BusError> {
        self.inner.depth(queue).await
    }
}

/// A consumer whose deliveries are counted.
struct Counted {
    inner: Consumer,
    kind: &'static str,
}

#[async_trait]
impl ConsumerStream for Counted {
    async fn next(&mut self) -> Option<Delivery> {
        let delivery = self.inner.next().await?;
        record::bus_consumed(self.kind);
        Some(delivery)
    }
}
