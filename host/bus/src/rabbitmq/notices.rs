//! Notices over RabbitMQ: broadcast on a fanout exchange as transient messages without
//! publisher confirms (news, not work), heard through one exclusive, auto-deleted queue per
//! subscriber, consumed without acknowledgements.
//!
//! A broadcast never waits for the broker to come back: with no live connection the notice
//! is dropped at once, and the caller logs it. A subscriber's queue lives as long as its
//! channel; after a reconnection the subscriber declares a new one and hears what is
//! broadcast from then on (what was broadcast in between is lost, as notices may be).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicPublishOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use tokio::sync::{Mutex, broadcast};
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::connection::ConnectionManager;
use super::topology::{self, Names};
use super::{Shared, broker};
use crate::{BusError, Notice, Subscription};

/// AMQP delivery mode of a message the broker need not keep across its own restarts.
const TRANSIENT: u8 = 1;

/// How long one broadcast may take, channel opening included. A connection that looks
/// alive but does not answer must not hold up the state change that is being announced.
const BROADCAST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long closing a subscriber's channel may take when it is dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The channel notices are broadcast on, opened on first use and again after it died.
#[derive(Default)]
pub(crate) struct NoticePublisher {
    channel: Mutex<Option<Channel>>,
}

impl NoticePublisher {
    /// Sends `body` to every subscriber's queue, or fails at once when the broker is away.
    pub(crate) async fn broadcast(
        &self,
        manager: &ConnectionManager,
        names: &Names,
        body: &[u8],
    ) -> Result<(), BusError> {
        let send = async {
            let channel = self.channel(manager, names).await?;
            let properties =
                BasicProperties::default().with_delivery_mode(TRANSIENT).with_content_type("application/json".into());
            // Without confirm mode the returned confirmation resolves to nothing; sent is done.
            channel
                .basic_publish(&names.notices(), "", BasicPublishOptions::default(), body, properties)
                .await
                .map_err(broker)?;
            Ok(())
        };
        tokio::time::timeout(BROADCAST_TIMEOUT, send)
            .await
            .unwrap_or_else(|_| Err(BusError::Unavailable(format!("notice not sent within {BROADCAST_TIMEOUT:?}"))))
    }

    async fn channel(&self, manager: &ConnectionManager, names: &Names) -> Result<Channel, BusError> {
        let mut slot = self.channel.lock().await;
        if let Some(channel) = slot.as_ref().filter(|channel| channel.status().connected()) {
            return Ok(channel.clone());
        }
        *slot = None;
        let connection =
            manager.live().ok_or_else(|| BusError::Unavailable("not connected to RabbitMQ right now".into()))?;
        let channel = connection.create_channel().await.map_err(broker)?;
        topology::declare_notices(&channel, names).await.map_err(broker)?;
        *slot = Some(channel.clone());
        Ok(channel)
    }
}

/// A subscriber's queue and the deliveries from it.
struct Listening {
    channel: Channel,
    deliveries: lapin::Consumer,
}

/// A subscription whose queue is bound before this returns, fed by a task that stops when
/// the subscription is dropped or the bus closed.
pub(crate) async fn subscribe(shared: Arc<Shared>) -> Result<Subscription, BusError> {
    let options = shared.manager.options();
    let timeout = options.connect_timeout;
    let (notices, receiver) = broadcast::channel(options.notice_buffer.max(1));
    let first = tokio::time::timeout(timeout, listen(&shared))
        .await
        .map_err(|_| BusError::Unavailable(format!("cannot subscribe to notices within {timeout:?}")))??;
    let stop = CancellationToken::new();
    tokio::spawn(feed(shared, first, notices, stop.clone()));
    Ok(Subscription::new(receiver, Some(stop.drop_guard())))
}

async fn listen(shared: &Shared) -> Result<Listening, BusError> {
    let connection = shared.manager.connection().await?;
    let channel = connection.create_channel().await.map_err(broker)?;
    let queue = topology::declare_subscriber(&channel, &shared.names).await.map_err(broker)?;
    let options = BasicConsumeOptions { no_ack: true, exclusive: true, ..BasicConsumeOptions::default() };
    let deliveries = channel.basic_consume(&queue, "", options, FieldTable::default()).await.map_err(broker)?;
    tracing::debug!(%queue, "hearing notices");
    Ok(Listening { channel, deliveries })
}

/// Moves notices from the broker into the subscription's ring, subscribing again whenever
/// the channel dies, until `stop` or the bus closes. The ring never blocks: a reader that
/// falls behind loses the oldest notices, not this task.
async fn feed(shared: Arc<Shared>, first: Listening, notices: broadcast::Sender<Notice>, stop: CancellationToken) {
    let closed = shared.manager.closed().clone();
    let options = shared.manager.options();
    let mut backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
    let mut current = Some(first);
    loop {
        let Some(listening) = current.as_mut() else {
            let attempt = tokio::select! {
                attempt = listen(&shared) => attempt,
                () = stop.cancelled() => break,
                () = closed.cancelled() => break,
            };
            match attempt {
                Ok(listening) => {
                    tracing::info!("hearing notices again; those broadcast meanwhile are lost");
                    backoff.reset();
                    current = Some(listening);
                }
                Err(BusError::Closed) => break,
                Err(BusError::Unavailable(error)) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%error, ?delay, "cannot subscribe to notices; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = stop.cancelled() => break,
                        () = closed.cancelled() => break,
                    }
                }
            }
            continue;
        };
        let item = tokio::select! {
            item = listening.deliveries.next() => item,
            () = stop.cancelled() => break,
            () = closed.cancelled() => break,
        };
        match item {
            Some(Ok(delivery)) => match serde_json::from_slice::<Notice>(&delivery.data) {
                Ok(notice) => {
                    // An error only says that the subscription is gone; `stop` follows.
                    let _ = notices.send(notice);
                }
                Err(error) => tracing::warn!(%error, "undecodable notice ignored"),
            },
            Some(Err(error)) => {
                tracing::warn!(%error, "notice subscription lost its channel; subscribing again");
                current = None;
            }
            None => {
                tracing::warn!("notice subscription cancelled by the broker; subscribing again");
                current = None;
            }
        }
    }
    // Closing the channel cancels its consumer, and the auto-delete queue goes with it.
    if let Some(listening) = current.filter(|listening| listening.channel.status().connected()) {
        match tokio::time::timeout(CLOSE_TIMEOUT, listening.channel.close(200, "unsubscribed")).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "closing a notice subscription"),
            Err(_) => tracing::debug!("closing a notice subscription: no answer"),
        }
    }
}
