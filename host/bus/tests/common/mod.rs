//! Support shared by the bus test binaries: a fixture per implementation, a broker of our
//! own for raw AMQP checks, and helpers that wait on deliveries with a bound.
//!
//! RabbitMQ fixtures connect to `ATTUNE_TEST_AMQP_URL` (default: the local broker) and fail
//! loudly when it is unreachable. Each uses a prefix of its own and deletes its queues when
//! it ends, even when the test panicked.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod broker;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use attune_bus::{
    Bus, BusError, Consumer, Delivery, MemoryBus, Message, Notice, Queue, RabbitBus, RabbitOptions, Received,
    Subscription,
};
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

/// How long a test waits for a delivery that should come.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// How far a subscriber of a fixture made for it may fall behind: small, so that tests
/// can make it lag.
pub const SMALL_NOTICE_BUFFER: usize = 4;

pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

pub fn amqp_url() -> String {
    std::env::var("ATTUNE_TEST_AMQP_URL").unwrap_or_else(|_| DEFAULT_AMQP_URL.to_owned())
}

/// A prefix no other test, run or process uses: queues of concurrent tests never meet.
pub fn unique_prefix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("test-{}-{n}-{:08x}.", std::process::id(), rand::random::<u32>())
}

/// Options for tests: reconnect quickly, so broker restarts cost seconds, not tens of them.
pub fn test_options(prefix: &str) -> RabbitOptions {
    RabbitOptions {
        prefix: prefix.to_owned(),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(500),
        connect_timeout: Duration::from_secs(5),
        publish_timeout: Duration::from_secs(60),
        prefetch: 32,
        notice_buffer: RabbitOptions::default().notice_buffer,
    }
}

/// Sends the bus's logs to the test's output, shown when a test fails (`RUST_LOG` filters;
/// default: the bus at debug level).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("attune_bus=debug"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
}

/// Connects, or fails the test with a message saying what is missing.
pub async fn connect_rabbit(options: RabbitOptions) -> RabbitBus {
    init_logging();
    let url = amqp_url();
    match RabbitBus::connect(&url, options).await {
        Ok(bus) => bus,
        Err(error) => panic!(
            "RabbitMQ is required for these tests and is unreachable ({error}); start it \
             (e.g. `rabbitmq-server -detached`) or point ATTUNE_TEST_AMQP_URL at one"
        ),
    }
}

pub fn message(n: i64) -> Message {
    Message::ExecutionRequested { execution: n }
}

pub fn notice(n: i64) -> Notice {
    Notice::execution_output(1, n, "stdout", &format!("line {n}"))
}

/// What a subscription hears next, failing the test if nothing comes in time.
pub async fn hear(subscription: &mut Subscription) -> Received {
    tokio::time::timeout(DELIVERY_TIMEOUT, subscription.next())
        .await
        .unwrap_or_else(|_| panic!("no notice within {DELIVERY_TIMEOUT:?}"))
        .expect("the subscription ended while a notice was expected")
}

/// Checks that the next thing a subscription hears is `expected`.
pub async fn hear_notice(subscription: &mut Subscription, expected: &Notice) {
    assert_eq!(hear(subscription).await, Received::Notice(expected.clone()));
}

/// `messages` in a canonical order, to compare collections whose order does not matter.
pub fn sorted(mut messages: Vec<Message>) -> Vec<Message> {
    messages.sort_by_key(|message| format!("{message:?}"));
    messages
}

/// The next delivery, failing the test if none comes in time.
pub async fn next(consumer: &mut Consumer) -> Delivery {
    next_within(consumer, DELIVERY_TIMEOUT).await
}

pub async fn next_within(consumer: &mut Consumer, timeout: Duration) -> Delivery {
    tokio::time::timeout(timeout, consumer.next())
        .await
        .unwrap_or_else(|_| panic!("no delivery within {timeout:?}"))
        .expect("the consumer ended while a delivery was expected")
}

/// Takes the next delivery, checks it is `expected`, and acknowledges it.
pub async fn ack_next(consumer: &mut Consumer, expected: &Message) {
    let delivery = next(consumer).await;
    assert_eq!(&delivery.message, expected);
    delivery.ack().await;
}

enum Backend {
    Memory(MemoryBus),
    Rabbit { bus: RabbitBus, prefix: String },
}

/// A bus under test, whichever the implementation.
pub struct Fixture {
    /// The bus as its users see it; it records the queues used, for the clean-up.
    pub bus: Arc<dyn Bus>,
    backend: Backend,
    used: Arc<Mutex<HashSet<Queue>>>,
    finished: bool,
}

impl Fixture {
    pub fn memory() -> Self {
        Self::memory_with(MemoryBus::new())
    }

    /// A memory fixture whose subscribers may fall only [`SMALL_NOTICE_BUFFER`] behind.
    pub fn memory_small_buffer() -> Self {
        Self::memory_with(MemoryBus::with_notice_capacity(SMALL_NOTICE_BUFFER))
    }

    fn memory_with(bus: MemoryBus) -> Self {
        init_logging();
        Self::new(Arc::new(bus.clone()), Backend::Memory(bus))
    }

    /// A RabbitMQ fixture whose subscribers may fall only [`SMALL_NOTICE_BUFFER`] behind.
    pub async fn rabbitmq_small_buffer() -> Self {
        Self::rabbitmq_with(RabbitOptions { notice_buffer: SMALL_NOTICE_BUFFER, ..test_options(&unique_prefix()) })
            .await
    }

    pub async fn rabbitmq() -> Self {
        Self::rabbitmq_with(test_options(&unique_prefix())).await
    }

    pub async fn rabbitmq_with(options: RabbitOptions) -> Self {
        let prefix = options.prefix.clone();
        let bus = connect_rabbit(options).await;
        Self::new(Arc::new(bus.clone()), Backend::Rabbit { bus, prefix })
    }

    fn new(inner: Arc<dyn Bus>, backend: Backend) -> Self {
        let used = Arc::new(Mutex::new(HashSet::new()));
        let bus = Arc::new(Recording { inner, used: used.clone() });
        Self { bus, backend, used, finished: false }
    }

    pub fn rabbit(&self) -> &RabbitBus {
        match &self.backend {
            Backend::Rabbit { bus, .. } => bus,
            Backend::Memory(_) => panic!("not a RabbitMQ fixture"),
        }
    }

    pub fn prefix(&self) -> &str {
        match &self.backend {
            Backend::Rabbit { prefix, .. } => prefix,
            Backend::Memory(_) => "",
        }
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Memory(bus) => bus.close(),
            Backend::Rabbit { bus, .. } => bus.close().await,
        }
    }

    /// Checks that `expected` (in any order) reached the dead-letter queue: waits for them on
    /// RabbitMQ, where dead-lettering happens after the nack returns; counts them in memory.
    pub async fn expect_dead_letters(&self, expected: &[Message]) {
        match &self.backend {
            Backend::Memory(bus) => assert_eq!(bus.dead_letters(), expected.len()),
            Backend::Rabbit { bus, .. } => {
                let bodies = RawBroker::connect().await.take(&bus.dead_letter_queue_name(), expected.len()).await;
                let got =
                    bodies.iter().map(|body| serde_json::from_slice(body).expect("a dead letter decodes")).collect();
                assert_eq!(sorted(got), sorted(expected.to_vec()));
            }
        }
    }

    /// Closes the bus and deletes the queues it used.
    pub async fn finish(mut self) {
        self.close().await;
        if let Backend::Rabbit { prefix, .. } = &self.backend {
            delete_queues(prefix, self.used_queues()).await;
        }
        self.finished = true;
    }

    fn used_queues(&self) -> Vec<Queue> {
        self.used.lock().expect("used lock").iter().cloned().collect()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Backend::Rabbit { prefix, .. } = &self.backend {
            // The test failed before `finish`: clean up from a thread with a runtime of its
            // own, since this one is unwinding and cannot be awaited on.
            let (prefix, queues) = (prefix.clone(), self.used_queues());
            let cleanup = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
                runtime.block_on(delete_queues(&prefix, queues));
            });
            let _ = cleanup.join();
        }
    }
}

/// Deletes a prefix's queues through a bus of its own.
async fn delete_queues(prefix: &str, queues: Vec<Queue>) {
    let bus = connect_rabbit(test_options(prefix)).await;
    bus.delete_queues(&queues).await.expect("the test's queues are deleted");
    bus.close().await;
}

/// Passes everything through, remembering which queues were used.
struct Recording {
    inner: Arc<dyn Bus>,
    used: Arc<Mutex<HashSet<Queue>>>,
}

#[async_trait]
impl Bus for Recording {
    async fn publish(&self, queue: &Queue, message: &Message) -> Result<(), BusError> {
        self.used.lock().expect("used lock").insert(queue.clone());
        self.inner.publish(queue, message).await
    }

    async fn consume(&self, queue: &Queue) -> Result<Consumer, BusError> {
        self.used.lock().expect("used lock").insert(queue.clone());
        self.inner.consume(queue).await
    }

    async fn broadcast(&self, notice: &Notice) -> Result<(), BusError> {
        self.inner.broadcast(notice).await
    }

    async fn ready(&self) -> Result<(), BusError> {
        self.inner.ready().await
    }

    async fn depth(&self, queue: &Queue) -> Result<u64, BusError> {
        self.inner.depth(queue).await
    }

    async fn subscribe(&self) -> Result<Subscription, BusError> {
        self.inner.subscribe().await
    }
}

/// A plain AMQP client, to look at the broker without going through the bus.
pub struct RawBroker {
    pub connection: Connection,
    pub channel: Channel,
}

impl RawBroker {
    pub async fn connect() -> Self {
        let properties = ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio);
        let connection = Connection::connect(&amqp_url(), properties).await.expect("a raw AMQP connection");
        let channel = connection.create_channel().await.expect("a raw channel");
        channel.confirm_select(ConfirmSelectOptions::default()).await.expect("confirm mode");
        Self { connection, channel }
    }

    /// Takes (and acknowledges) `count` messages from `queue`, failing if they do not come.
    pub async fn take(&self, queue: &str, count: usize) -> Vec<Vec<u8>> {
        let options = BasicConsumeOptions { no_ack: true, ..BasicConsumeOptions::default() };
        let mut consumer =
            self.channel.basic_consume(queue, "", options, FieldTable::default()).await.expect("consume");
        let mut bodies = Vec::new();
        while bodies.len() < count {
            let delivery = tokio::time::timeout(DELIVERY_TIMEOUT, consumer.next())
                .await
                .unwrap_or_else(|_| panic!("only {} of {count} messages on {queue}", bodies.len()))
                .expect("the raw consumer ended")
                .expect("a raw delivery");
            bodies.push(delivery.data);
        }
        bodies
    }

    /// Publishes `body` as is, confirmed.
    pub async fn publish(&self, queue: &str, body: &[u8]) {
        let confirmation = self
            .channel
            .basic_publish("", queue, BasicPublishOptions::default(), body, BasicProperties::default())
            .await
            .expect("raw publish")
            .await
            .expect("raw confirmation");
        assert!(confirmation.is_ack());
    }
}
