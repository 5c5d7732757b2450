//! How a [`RabbitBus`](super::RabbitBus) names its queues, retries and paces deliveries.

use std::time::Duration;

/// Settings of a [`RabbitBus`](super::RabbitBus). `Default` suits a production deployment
/// with its own vhost; tests and deployments sharing a broker set a distinct `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RabbitOptions {
    /// Put before every queue and exchange name, so that several deployments (or test runs)
    /// can share one broker and vhost: `attune.executor` becomes `<prefix>attune.executor`.
    /// Default: empty.
    pub prefix: String,
    /// First pause after a failed connection attempt; it doubles after each further failure.
    /// Default: 100 ms.
    pub reconnect_min: Duration,
    /// The longest pause between connection attempts, however long the broker stays away.
    /// Default: 5 s.
    pub reconnect_max: Duration,
    /// How long `connect` keeps trying before giving up, and the bound of any single
    /// connection attempt (a black-holed address must not hang a reconnect). Default: 30 s.
    pub connect_timeout: Duration,
    /// How long `publish` keeps trying (reconnecting, resending after a nack) before it
    /// reports the bus unavailable. Default: 30 s.
    pub publish_timeout: Duration,
    /// Deliveries a consumer may hold unacknowledged; the broker sends no more until some
    /// are settled. Default: 128 (above the executor's 64 handled at once, so that it stays
    /// fed while it settles). Zero means unbounded, which lets one slow consumer hoard a
    /// queue its competitors could be working on.
    pub prefetch: u16,
    /// Notices a subscription may hold unread; beyond that it loses the oldest and hears
    /// how many. Default: 4096.
    pub notice_buffer: usize,
}

impl Default for RabbitOptions {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(30),
            publish_timeout: Duration::from_secs(30),
            prefetch: 128,
            notice_buffer: crate::memory::DEFAULT_NOTICE_CAPACITY,
        }
    }
}

impl RabbitOptions {
    /// The defaults with queue names prefixed by `prefix`.
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Self { prefix: prefix.into(), ..Self::default() }
    }
}
