//! Attune's message bus: notifications of work between roles, and news for live views.
//!
//! The store is the source of truth; a message only says "look at execution 42". Handlers
//! re-read the store and move state with conditional updates, so a duplicated, replayed or
//! late message is harmless, and a lost one is re-driven by the reconciler. That is why the
//! bus can be simple: at-least-once delivery to competing consumers of named queues.
//! Each message carries the W3C trace context it was published in, so that one trace
//! follows an execution from role to role.
//!
//! Beside the queues runs a fan-out of [`Notice`]s: every subscriber hears every notice
//! broadcast after it subscribed, at most once and only while it keeps up. Notices feed
//! live views; nothing depends on them arriving.
//!
//! Module plan:
//! - [`message`]: the [`Message`]s roles exchange and the [`Queue`]s they travel on.
//! - [`notice`]: the [`Notice`]s broadcast to live views.
//! - [`Bus`], [`Consumer`] and [`Delivery`]: the contract every implementation meets;
//!   [`Subscription`] (in [`subscription`]) hears the fan-out.
//! - [`memory`]: the in-process bus of the embedded deployment.
//! - [`metered`]: [`Metered`], any bus with its traffic counted in the metrics.
//! - [`rabbitmq`]: the RabbitMQ bus of the distributed deployment (durable queues, publisher
//!   confirms, manual acks, a dead-letter queue, reconnection with back-off).

pub mod memory;
pub mod message;
pub mod metered;
pub mod notice;
pub mod rabbitmq;
pub mod subscription;

use async_trait::async_trait;
use attune_telemetry::trace::TraceParent;

pub use memory::MemoryBus;
pub use message::{Message, Queue};
pub use metered::Metered;
pub use notice::Notice;
pub use rabbitmq::{RabbitBus, RabbitOptions};
pub use subscription::{Received, Subscription};

/// Why a bus operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The broker could not be reached (after retrying for a while).
    #[error("message bus unavailable: {0}")]
    Unavailable(String),
    /// The bus was shut down.
    #[error("message bus closed")]
    Closed,
}

/// Publishes and consumes messages on named queues.
#[async_trait]
pub trait Bus: Send + Sync {
    /// Publishes `message` on `queue`; returns once the bus holds it (for RabbitMQ: once the
    /// broker confirmed it to disk). The current span's trace context travels with it
    /// (for RabbitMQ: in the `traceparent` header) and comes out as [`Delivery::trace`].
    async fn publish(&self, queue: &Queue, message: &Message) -> Result<(), BusError>;

    /// Starts consuming `queue`. Several consumers of one queue share its messages; each
    /// message goes to one of them and comes back (to any consumer) unless acknowledged.
    async fn consume(&self, queue: &Queue) -> Result<Consumer, BusError>;

    /// Sends `notice` to every current subscriber, in this process or any other on the
    /// same bus. Returns once it is sent, without waiting for anyone to hear it; having no
    /// subscriber is not an error. Callers log a failure and go on: a notice is news, not
    /// work.
    async fn broadcast(&self, notice: &Notice) -> Result<(), BusError>;

    /// Starts hearing every notice broadcast from now on (once this returns).
    async fn subscribe(&self) -> Result<Subscription, BusError>;

    /// Whether the bus can carry messages now (for RabbitMQ: connected to the broker), for
    /// readiness probes. Never waits for a reconnection.
    async fn ready(&self) -> Result<(), BusError>;

    /// Messages waiting in `queue` (those delivered and not yet settled are not counted),
    /// for the metrics; 0 for a queue nobody has declared. Never waits for a reconnection.
    async fn depth(&self, queue: &Queue) -> Result<u64, BusError>;
}

/// The receiving end of a queue. Implementations hide reconnection: `next` keeps yielding
/// deliveries across broker restarts.
#[async_trait]
pub trait ConsumerStream: Send {
    /// The next delivery; `None` once the bus is closed.
    async fn next(&mut self) -> Option<Delivery>;
}

/// A consumer of one queue.
pub struct Consumer(Box<dyn ConsumerStream>);

impl Consumer {
    /// Wraps an implementation's stream.
    pub fn new(stream: impl ConsumerStream + 'static) -> Self {
        Self(Box::new(stream))
    }

    /// The next delivery; `None` once the bus is closed.
    pub async fn next(&mut self) -> Option<Delivery> {
        self.0.next().await
    }
}

/// How a delivery is settled.
#[async_trait]
pub trait Settle: Send {
    /// Handled: remove the message.
    async fn ack(self: Box<Self>);
    /// Not handled now: deliver it again (to any consumer).
    async fn requeue(self: Box<Self>);
    /// Can never be handled: move it to the dead-letter queue.
    async fn dead_letter(self: Box<Self>);
}

/// One message received, to be settled exactly once. Dropping it unsettled requeues it.
pub struct Delivery {
    /// The message.
    pub message: Message,
    /// Whether the bus delivered this message before (to this or another consumer).
    pub redelivered: bool,
    /// The trace context the message was published in, which its handling continues.
    pub trace: Option<TraceParent>,
    settle: Option<Box<dyn Settle>>,
}

impl Delivery {
    /// A delivery settled through `settle`.
    pub fn new(message: Message, redelivered: bool, settle: Box<dyn Settle>) -> Self {
        Self { message, redelivered, trace: None, settle: Some(settle) }
    }

    /// This delivery, published in the trace context `trace`.
    pub fn traced(mut self, trace: Option<TraceParent>) -> Self {
        self.trace = trace;
        self
    }

    /// Handled: remove the message.
    pub async fn ack(mut self) {
        if let Some(settle) = self.settle.take() {
            settle.ack().await;
        }
    }

    /// Not handled now: deliver it again.
    pub async fn requeue(mut self) {
        if let Some(settle) = self.settle.take() {
            settle.requeue().await;
        }
    }

    /// Can never be handled: dead-letter it.
    pub async fn dead_letter(mut self) {
        if let Some(settle) = self.settle.take() {
            settle.dead_letter().await;
        }
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if let Some(settle) = self.settle.take() {
            // A handler that panicked or forgot: the message must not be lost.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(settle.requeue());
            }
        }
    }
}
