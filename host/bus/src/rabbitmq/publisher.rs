//! Publishing with publisher confirms: a message counts as sent only once the broker has
//! acknowledged it, which for a persistent message on a durable queue means written to disk.

use std::collections::HashSet;

use attune_telemetry::trace::{self, TraceParent};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::backoff::Backoff;
use super::broker;
use super::connection::ConnectionManager;
use super::topology::{self, Names};
use crate::BusError;

/// AMQP delivery mode of a message the broker must keep across its own restarts.
const PERSISTENT: u8 = 2;

/// A message to publish: its queue, its JSON body and the trace context it continues,
/// sent as the `traceparent` header.
pub(crate) struct Outgoing<'a> {
    pub(crate) queue: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) trace: Option<TraceParent>,
}

impl Outgoing<'_> {
    fn properties(&self) -> BasicProperties {
        let properties =
            BasicProperties::default().with_delivery_mode(PERSISTENT).with_content_type("application/json".into());
        match &self.trace {
            Some(parent) => {
                let mut headers = FieldTable::default();
                headers.insert(trace::HEADER.into(), AMQPValue::LongString(LongString::from(parent.as_str())));
                properties.with_headers(headers)
            }
            None => properties,
        }
    }
}

/// The trace context in a delivery's headers, when it has a valid one.
pub(crate) fn trace_of(properties: &BasicProperties) -> Option<TraceParent> {
    let value = properties.headers().as_ref()?.inner().get(trace::HEADER)?;
    let text = std::str::from_utf8(value.as_long_string()?.as_bytes()).ok()?;
    TraceParent::parse(text)
}

/// The shared confirm-mode channel, and the queues already declared through it.
#[derive(Default)]
pub(crate) struct Publisher {
    channel: Mutex<Option<Channel>>,
    declared: std::sync::Mutex<HashSet<String>>,
}

impl Publisher {
    /// Publishes `outgoing`, retrying through reconnections and nacks until the broker
    /// confirms it or `publish_timeout` runs out.
    pub(crate) async fn publish(
        &self,
        manager: &ConnectionManager,
        names: &Names,
        outgoing: &Outgoing<'_>,
    ) -> Result<(), BusError> {
        let queue = outgoing.queue;
        let options = manager.options();
        let deadline = Instant::now() + options.publish_timeout;
        let mut backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
        let mut last_error = String::from("no answer from the broker");
        loop {
            match tokio::time::timeout_at(deadline, self.attempt(manager, names, outgoing)).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(BusError::Closed)) => return Err(BusError::Closed),
                Ok(Err(BusError::Unavailable(error))) => {
                    tracing::warn!(queue, %error, "publish not confirmed; retrying");
                    last_error = error;
                }
                Err(_) => break,
            }
            let pause = (Instant::now() + backoff.next_delay()).min(deadline);
            tokio::select! {
                () = tokio::time::sleep_until(pause) => {}
                () = manager.closed().cancelled() => return Err(BusError::Closed),
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        Err(BusError::Unavailable(format!(
            "publish to {queue} not confirmed within {:?}: {last_error}",
            options.publish_timeout
        )))
    }

    async fn attempt(
        &self,
        manager: &ConnectionManager,
        names: &Names,
        outgoing: &Outgoing<'_>,
    ) -> Result<(), BusError> {
        let queue = outgoing.queue;
        let channel = self.channel(manager).await?;
        if !self.declared.lock().expect("declared lock").contains(queue) {
            topology::declare(&channel, names, queue).await.map_err(broker)?;
            self.declared.lock().expect("declared lock").insert(queue.to_owned());
        }
        let properties = outgoing.properties();
        // Mandatory: if the queue vanished since we declared it (deleted by an operator, a
        // reset broker), the broker returns the message instead of silently dropping it.
        let publish = BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() };
        let confirmation = channel
            .basic_publish("", queue, publish, outgoing.body, properties)
            .await
            .map_err(broker)?
            .await
            .map_err(broker)?;
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) => {
                self.declared.lock().expect("declared lock").remove(queue);
                Err(BusError::Unavailable(format!("queue missing, message returned: {}", returned.reply_text)))
            }
            Confirmation::Nack(_) => Err(BusError::Unavailable("the broker refused the message (nack)".into())),
            Confirmation::NotRequested => {
                // Cannot happen on a confirm-mode channel; start over with a fresh one.
                *self.channel.lock().await = None;
                Err(BusError::Unavailable("publisher confirms were not enabled".into()))
            }
        }
    }

    /// The confirm-mode channel, opened anew when the last one died with its connection or
    /// was closed by a channel error.
    async fn channel(&self, manager: &ConnectionManager) -> Result<Channel, BusError> {
        let mut slot = self.channel.lock().await;
        if let Some(channel) = slot.as_ref().filter(|channel| channel.status().connected()) {
            return Ok(channel.clone());
        }
        *slot = None;
        let connection = manager.connection().await?;
        let channel = connection.create_channel().await.map_err(broker)?;
        channel.confirm_select(ConfirmSelectOptions::default()).await.map_err(broker)?;
        *slot = Some(channel.clone());
        Ok(channel)
    }
}
