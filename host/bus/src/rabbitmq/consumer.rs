//! Consuming with manual acknowledgements and a bounded prefetch. A consumer owns its channel
//! and subscribes again, on whatever connection is current, whenever that channel dies, so
//! a broker restart shows to its caller only as a pause.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use lapin::Channel;
use lapin::acker::Acker;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;

use super::backoff::Backoff;
use super::{Shared, broker, topology};
use crate::{BusError, ConsumerStream, Delivery, Message, Settle};

/// How long settling may take. An ack on a connection that died can wait on a reply that
/// will never come; the broker redelivers such a message anyway, so the handler moves on.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How much of an undecodable body to show in the log.
const POISON_PREVIEW: usize = 200;

/// Tags this process gives its consumers; unique so that log lines and the broker's
/// consumer list can be matched up.
static NEXT_TAG: AtomicU64 = AtomicU64::new(1);

struct Subscription {
    channel: Channel,
    deliveries: lapin::Consumer,
}

pub(crate) struct RabbitConsumer {
    shared: Arc<Shared>,
    queue: String,
    subscription: Option<Subscription>,
    backoff: Backoff,
}

impl RabbitConsumer {
    /// A consumer subscribed to `queue` before this returns, so that messages published
    /// afterwards are shared with it from the first one.
    pub(crate) async fn start(shared: Arc<Shared>, queue: String) -> Result<Self, BusError> {
        let options = shared.manager.options();
        let backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
        let timeout = options.connect_timeout;
        let mut consumer = Self { shared, queue, subscription: None, backoff };
        let subscription = tokio::time::timeout(timeout, consumer.subscribe()).await.map_err(|_| {
            BusError::Unavailable(format!("cannot subscribe to {} within {timeout:?}", consumer.queue))
        })??;
        consumer.subscription = Some(subscription);
        Ok(consumer)
    }

    async fn subscribe(&self) -> Result<Subscription, BusError> {
        let connection = self.shared.manager.connection().await?;
        let channel = connection.create_channel().await.map_err(broker)?;
        let prefetch = self.shared.manager.options().prefetch;
        channel.basic_qos(prefetch, BasicQosOptions::default()).await.map_err(broker)?;
        topology::declare(&channel, &self.shared.names, &self.queue).await.map_err(broker)?;
        let tag = format!("attune-{}-{}", std::process::id(), NEXT_TAG.fetch_add(1, Ordering::Relaxed));
        let deliveries = channel
            .basic_consume(&self.queue, &tag, BasicConsumeOptions::default(), FieldTable::default())
            .await
            .map_err(broker)?;
        tracing::debug!(queue = %self.queue, %tag, "subscribed");
        Ok(Subscription { channel, deliveries })
    }

    /// A delivery for the caller, or `None` for a poison message (dead-lettered here).
    async fn accept(&self, delivery: lapin::message::Delivery, channel: &Channel) -> Option<Delivery> {
        match serde_json::from_slice::<Message>(&delivery.data) {
            Ok(message) => {
                let settle =
                    RabbitSettle { acker: delivery.acker, queue: self.queue.clone(), _channel: channel.clone() };
                let trace = super::publisher::trace_of(&delivery.properties);
                Some(Delivery::new(message, delivery.redelivered, Box::new(settle)).traced(trace))
            }
            Err(error) => {
                let preview = String::from_utf8_lossy(&delivery.data[..delivery.data.len().min(POISON_PREVIEW)]);
                tracing::error!(queue = %self.queue, %error, body = %preview, "undecodable message dead-lettered");
                let reject = delivery.acker.nack(BasicNackOptions { requeue: false, multiple: false });
                settled(&self.queue, "dead-letter", reject).await;
                None
            }
        }
    }
}

#[async_trait]
impl ConsumerStream for RabbitConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        let closed = self.shared.manager.closed().clone();
        loop {
            if closed.is_cancelled() {
                self.subscription = None;
                return None;
            }
            let Some(subscription) = self.subscription.as_mut() else {
                let subscribed = tokio::select! {
                    result = self.subscribe() => result,
                    () = closed.cancelled() => Err(BusError::Closed),
                };
                match subscribed {
                    Ok(subscription) => {
                        tracing::info!(queue = %self.queue, "consuming again");
                        self.backoff.reset();
                        self.subscription = Some(subscription);
                    }
                    Err(BusError::Closed) => return None,
                    Err(BusError::Unavailable(error)) => {
                        // The connection is up (the manager waited for that) but the channel
                        // failed, e.g. a declaration refused: do not hammer the broker.
                        let delay = self.backoff.next_delay();
                        tracing::warn!(queue = %self.queue, %error, ?delay, "cannot subscribe; retrying");
                        tokio::select! {
                            () = tokio::time::sleep(delay) => {}
                            () = closed.cancelled() => return None,
                        }
                    }
                }
                continue;
            };
            let item = tokio::select! {
                item = subscription.deliveries.next() => item,
                () = closed.cancelled() => return None,
            };
            match item {
                Some(Ok(delivery)) => {
                    let channel = subscription.channel.clone();
                    if let Some(delivery) = self.accept(delivery, &channel).await {
                        return Some(delivery);
                    }
                }
                Some(Err(error)) => {
                    // Unacknowledged deliveries of the dead channel are requeued by the broker.
                    tracing::warn!(queue = %self.queue, %error, "consumer lost its channel; subscribing again");
                    self.subscription = None;
                }
                None => {
                    tracing::warn!(queue = %self.queue, "consumer cancelled by the broker; subscribing again");
                    self.subscription = None;
                }
            }
        }
    }
}

/// Settles one delivery. Holds its channel open: a consumer dropped while a handler still
/// works on a delivery must not take the channel, and with it the handler's ack, away.
struct RabbitSettle {
    acker: Acker,
    queue: String,
    _channel: Channel,
}

#[async_trait]
impl Settle for RabbitSettle {
    async fn ack(self: Box<Self>) {
        settled(&self.queue, "ack", self.acker.ack(BasicAckOptions::default())).await;
    }

    async fn requeue(self: Box<Self>) {
        settled(&self.queue, "requeue", self.acker.nack(BasicNackOptions { requeue: true, multiple: false })).await;
    }

    async fn dead_letter(self: Box<Self>) {
        tracing::warn!(queue = %self.queue, "message dead-lettered");
        settled(&self.queue, "dead-letter", self.acker.nack(BasicNackOptions { requeue: false, multiple: false }))
            .await;
    }
}

/// Awaits a settlement; a failure is only logged, because the broker requeues every
/// unsettled delivery of a channel that died, which is what the caller needs anyway.
async fn settled(queue: &str, what: &str, settlement: impl Future<Output = lapin::Result<()>>) {
    match tokio::time::timeout(SETTLE_TIMEOUT, settlement).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(queue, %error, "{what} failed; the broker will redeliver the message"),
        Err(_) => tracing::warn!(queue, "{what} unanswered; the broker will redeliver the message"),
    }
}
