//! One AMQP connection shared by everything a [`RabbitBus`](super::RabbitBus) does, replaced
//! with exponential back-off whenever the broker goes away.
//!
//! Channels are cheap and die with their connection, so publishers and consumers keep their
//! own and simply ask for the connection again when theirs stops working; whoever asks first
//! after an outage reconnects, the others wait on the lock and get the new connection.

use std::sync::Arc;

use lapin::uri::AMQPUri;
use lapin::{Connection, ConnectionProperties};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::RabbitOptions;
use super::backoff::Backoff;
use crate::BusError;

pub(crate) struct ConnectionManager {
    url: String,
    /// The URL without credentials, for messages and logs.
    display: String,
    options: RabbitOptions,
    current: Mutex<Option<Arc<Connection>>>,
    /// The latest connection made, readable without waiting on `current` (whose lock is
    /// held through a whole reconnection).
    latest: std::sync::Mutex<Option<Arc<Connection>>>,
    /// Why the latest connection attempt failed, for the error of a `connect` that gives up.
    last_error: std::sync::Mutex<String>,
    closed: CancellationToken,
}

impl ConnectionManager {
    /// Connects, retrying with back-off for up to `connect_timeout`, so that a role started
    /// a little before its broker still comes up.
    pub(crate) async fn open(url: &str, options: RabbitOptions) -> Result<Self, BusError> {
        let parsed: AMQPUri =
            url.parse().map_err(|error| BusError::Unavailable(format!("invalid AMQP URL: {error}")))?;
        let display = format!("{}:{} (vhost {:?})", parsed.authority.host, parsed.authority.port, parsed.vhost);
        let manager = Self {
            url: url.to_owned(),
            display,
            options,
            current: Mutex::new(None),
            latest: std::sync::Mutex::new(None),
            last_error: std::sync::Mutex::new("no attempt finished".into()),
            closed: CancellationToken::new(),
        };
        let deadline = Instant::now() + manager.options.connect_timeout;
        match tokio::time::timeout_at(deadline, manager.connection()).await {
            Ok(result) => result.map(|_| manager),
            Err(_) => Err(BusError::Unavailable(format!(
                "cannot connect to RabbitMQ at {} within {:?}: {}",
                manager.display,
                manager.options.connect_timeout,
                manager.last_error.lock().expect("last error lock")
            ))),
        }
    }

    pub(crate) fn options(&self) -> &RabbitOptions {
        &self.options
    }

    /// Whether the latest connection made is up (without waiting for a reconnection).
    pub(crate) fn connected(&self) -> bool {
        self.latest.lock().expect("latest connection lock").as_ref().is_some_and(|c| c.status().connected())
    }

    /// Cancelled once the bus is closed.
    pub(crate) fn closed(&self) -> &CancellationToken {
        &self.closed
    }

    /// A live connection: the current one, or a new one after as many attempts as it takes.
    /// Callers that cannot wait forever wrap this in a timeout. `Err(Closed)` once closed.
    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, BusError> {
        let mut current = tokio::select! {
            current = self.current.lock() => current,
            () = self.closed.cancelled() => return Err(BusError::Closed),
        };
        if self.closed.is_cancelled() {
            return Err(BusError::Closed);
        }
        if let Some(connection) = current.as_ref() {
            if connection.status().connected() {
                return Ok(connection.clone());
            }
            tracing::warn!(broker = %self.display, state = ?connection.status().state(), "RabbitMQ connection lost; reconnecting");
            *current = None;
        }
        let mut backoff = Backoff::new(self.options.reconnect_min, self.options.reconnect_max);
        loop {
            let attempt = tokio::time::timeout(self.options.connect_timeout, self.attempt());
            let error = tokio::select! {
                result = attempt => match result {
                    Ok(Ok(connection)) => {
                        tracing::info!(broker = %self.display, "connected to RabbitMQ");
                        let connection = Arc::new(connection);
                        *current = Some(connection.clone());
                        *self.latest.lock().expect("latest connection lock") = Some(connection.clone());
                        return Ok(connection);
                    }
                    Ok(Err(error)) => error.to_string(),
                    Err(_) => format!("no answer within {:?}", self.options.connect_timeout),
                },
                () = self.closed.cancelled() => return Err(BusError::Closed),
            };
            let delay = backoff.next_delay();
            tracing::warn!(broker = %self.display, %error, ?delay, "cannot connect to RabbitMQ; retrying");
            *self.last_error.lock().expect("last error lock") = error;
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.closed.cancelled() => return Err(BusError::Closed),
            }
        }
    }

    /// The connection, if one is up right now; never waits for a reconnection (which the
    /// consumers of this bus drive).
    pub(crate) fn live(&self) -> Option<Arc<Connection>> {
        let latest = self.latest.lock().expect("latest connection lock");
        latest.as_ref().filter(|connection| connection.status().connected() && !self.closed.is_cancelled()).cloned()
    }

    async fn attempt(&self) -> lapin::Result<Connection> {
        let properties = ConnectionProperties::default()
            .with_connection_name(format!("attune-{}", std::process::id()).into())
            // The connection's tasks and socket live on the runtime that opened it, like the
            // rest of the process, instead of on a second executor of lapin's own.
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio);
        Connection::connect(&self.url, properties).await
    }

    /// Stops reconnecting, wakes everyone waiting, and closes the connection. Unacknowledged
    /// deliveries go back to their queues on the broker.
    pub(crate) async fn close(&self) {
        self.closed.cancel();
        self.latest.lock().expect("latest connection lock").take();
        let connection = self.current.lock().await.take();
        if let Some(connection) = connection.filter(|connection| connection.status().connected())
            && let Err(error) = connection.close(200, "attune bus closed").await
        {
            tracing::debug!(%error, "closing the RabbitMQ connection");
        }
    }
}
