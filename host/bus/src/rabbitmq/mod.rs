//! The RabbitMQ bus of the distributed deployment.
//!
//! - Queues are durable and declared on first use; each dead-letters into the durable
//!   `<prefix>attune.dead-letter` queue (see `topology`).
//! - Messages are persistent JSON, and `publish` returns only once the broker confirmed them
//!   (see `publisher`).
//! - Consumers acknowledge by hand, hold a bounded prefetch, and dead-letter undecodable
//!   messages instead of handing them out (see `consumer`). `consume` returns once the
//!   broker registered the consumer, so competing consumers share every later message.
//! - One connection, replaced with exponential back-off when the broker goes away; publishers
//!   retry and consumers re-subscribe on the new one (see `connection`).
//! - Notices are transient messages on the fanout exchange `<prefix>attune.notifications`,
//!   sent without confirms and never retried; each subscriber hears them through an
//!   exclusive, auto-deleted queue of its own, declared again after a reconnection (see
//!   `notices`).

mod backoff;
mod connection;
mod consumer;
mod notices;
mod options;
mod publisher;
mod topology;

use std::sync::Arc;

use async_trait::async_trait;

use crate::{Bus, BusError, Consumer, Message, Notice, Queue, Subscription};
use connection::ConnectionManager;
use consumer::RabbitConsumer;
use notices::NoticePublisher;
pub use options::RabbitOptions;
use publisher::Publisher;
use topology::Names;

/// What the bus, its publisher and its consumers share.
pub(crate) struct Shared {
    manager: ConnectionManager,
    names: Names,
    publisher: Publisher,
    notices: NoticePublisher,
}

/// A bus on a RabbitMQ broker. Clones share one connection.
#[derive(Clone)]
pub struct RabbitBus {
    shared: Arc<Shared>,
}

impl RabbitBus {
    /// Connects to the broker at `url` (`amqp://user:password@host:port/vhost`, the vhost
    /// percent-encoded: `%2f` for `/`). Keeps trying for `options.connect_timeout`, then
    /// fails with [`BusError::Unavailable`]. Queues are declared later, on first use.
    pub async fn connect(url: &str, options: RabbitOptions) -> Result<Self, BusError> {
        let names = Names::new(&options.prefix);
        let manager = ConnectionManager::open(url, options).await?;
        let publisher = Publisher::default();
        Ok(Self { shared: Arc::new(Shared { manager, names, publisher, notices: NoticePublisher::default() }) })
    }

    /// The broker's name for `queue`: the prefix, then [`Queue::name`].
    pub fn queue_name(&self, queue: &Queue) -> String {
        self.shared.names.queue(queue)
    }

    /// The name of the dead-letter queue, and of the exchange that feeds it.
    pub fn dead_letter_queue_name(&self) -> String {
        self.shared.names.dead_letter()
    }

    /// The name of the fanout exchange notices are broadcast on.
    pub fn notices_exchange_name(&self) -> String {
        self.shared.names.notices()
    }

    /// Deletes `queues`, this prefix's dead-letter queue and exchange, with any messages
    /// they hold, and its notices exchange: for tearing down a test's or a retired
    /// deployment's prefix. Deleting a queue that does not exist is not an error. Consumers
    /// of a deleted queue declare it again, so close the buses that consume these queues
    /// first.
    pub async fn delete_queues(&self, queues: &[Queue]) -> Result<(), BusError> {
        let connection = self.shared.manager.connection().await?;
        let channel = connection.create_channel().await.map_err(broker)?;
        topology::delete(&channel, &self.shared.names, queues).await.map_err(broker)?;
        if let Err(error) = channel.close(200, "done").await {
            tracing::debug!(%error, "closing the deletion channel");
        }
        Ok(())
    }

    /// Orderly shutdown: consumers end (`next` returns `None`), publishing fails with
    /// [`BusError::Closed`], and the connection is closed, so the broker requeues whatever
    /// was delivered but not acknowledged.
    pub async fn close(&self) {
        self.shared.manager.close().await;
    }
}

#[async_trait]
impl Bus for RabbitBus {
    async fn publish(&self, queue: &Queue, message: &Message) -> Result<(), BusError> {
        if self.shared.manager.closed().is_cancelled() {
            return Err(BusError::Closed);
        }
        let body = serde_json::to_vec(message).expect("messages serialize to JSON");
        let name = self.shared.names.queue(queue);
        let outgoing = publisher::Outgoing { queue: &name, body: &body, trace: attune_telemetry::trace::current() };
        self.shared.publisher.publish(&self.shared.manager, &self.shared.names, &outgoing).await
    }

    async fn ready(&self) -> Result<(), BusError> {
        if self.shared.manager.closed().is_cancelled() {
            return Err(BusError::Closed);
        }
        if self.shared.manager.connected() {
            Ok(())
        } else {
            Err(BusError::Unavailable("not connected to the broker".into()))
        }
    }

    async fn depth(&self, queue: &Queue) -> Result<u64, BusError> {
        if !self.shared.manager.connected() {
            return Err(BusError::Unavailable("not connected to the broker".into()));
        }
        let connection = self.shared.manager.connection().await?;
        let channel = connection.create_channel().await.map_err(broker)?;
        let depth = topology::depth(&channel, &self.shared.names.queue(queue)).await;
        if let Err(error) = channel.close(200, "done").await {
            tracing::debug!(%error, "closing the depth channel");
        }
        depth.map_err(broker)
    }

    async fn consume(&self, queue: &Queue) -> Result<Consumer, BusError> {
        if self.shared.manager.closed().is_cancelled() {
            return Err(BusError::Closed);
        }
        let consumer = RabbitConsumer::start(self.shared.clone(), self.shared.names.queue(queue)).await?;
        Ok(Consumer::new(consumer))
    }

    async fn broadcast(&self, notice: &Notice) -> Result<(), BusError> {
        if self.shared.manager.closed().is_cancelled() {
            return Err(BusError::Closed);
        }
        let body = serde_json::to_vec(notice).expect("notices serialize to JSON");
        self.shared.notices.broadcast(&self.shared.manager, &self.shared.names, &body).await
    }

    async fn subscribe(&self) -> Result<Subscription, BusError> {
        if self.shared.manager.closed().is_cancelled() {
            return Err(BusError::Closed);
        }
        notices::subscribe(self.shared.clone()).await
    }
}

/// A failure on the broker's side: the operation may succeed once retried.
fn broker(error: lapin::Error) -> BusError {
    BusError::Unavailable(error.to_string())
}
