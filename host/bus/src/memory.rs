//! The in-process bus of the embedded deployment: one FIFO per queue, shared by its
//! consumers, and a broadcast channel for notices. Nothing survives the process — which is
//! fine, because the store does, and the reconciler re-drives whatever a crash left
//! unfinished.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use attune_telemetry::trace::{self, TraceParent};
use tokio::sync::{Notify, broadcast};

use crate::{Bus, BusError, Consumer, ConsumerStream, Delivery, Message, Notice, Queue, Settle, Subscription};

/// Name of the queue where dead-lettered messages are kept.
pub const DEAD_LETTER_QUEUE: &str = "attune.dead-letter";

/// Notices a subscriber may fall behind by before it loses the oldest: enough for bursts of
/// output lines while it is busy for a moment, bounded so a stuck one holds little memory.
pub const DEFAULT_NOTICE_CAPACITY: usize = 4096;

/// A message waiting in a queue, with the trace context it was published in.
#[derive(Clone)]
struct Queued {
    message: Message,
    trace: Option<TraceParent>,
    redelivered: bool,
}

#[derive(Default)]
struct QueueState {
    items: Mutex<VecDeque<Queued>>,
    ready: Notify,
}

impl QueueState {
    fn push_back(&self, queued: Queued) {
        self.items.lock().expect("queue lock").push_back(queued);
        self.ready.notify_one();
    }

    fn push_front(&self, queued: Queued) {
        self.items.lock().expect("queue lock").push_front(Queued { redelivered: true, ..queued });
        self.ready.notify_one();
    }

    fn pop(&self) -> Option<Queued> {
        self.items.lock().expect("queue lock").pop_front()
    }

    fn len(&self) -> usize {
        self.items.lock().expect("queue lock").len()
    }
}

struct Shared {
    queues: Mutex<HashMap<String, Arc<QueueState>>>,
    closed: AtomicBool,
    closing: Notify,
    /// Taken on close, which ends every subscription.
    notices: Mutex<Option<broadcast::Sender<Notice>>>,
}

impl Shared {
    fn queue(&self, name: &str) -> Arc<QueueState> {
        self.queues.lock().expect("bus lock").entry(name.to_owned()).or_default().clone()
    }
}

/// An in-process bus. Clones share the same queues and notices.
#[derive(Clone)]
pub struct MemoryBus {
    shared: Arc<Shared>,
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::with_notice_capacity(DEFAULT_NOTICE_CAPACITY)
    }
}

impl MemoryBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty bus whose subscribers may fall `capacity` notices behind before they lose
    /// the oldest.
    pub fn with_notice_capacity(capacity: usize) -> Self {
        let (notices, _) = broadcast::channel(capacity.max(1));
        Self {
            shared: Arc::new(Shared {
                queues: Mutex::default(),
                closed: AtomicBool::new(false),
                closing: Notify::new(),
                notices: Mutex::new(Some(notices)),
            }),
        }
    }

    /// Messages waiting on `queue` (not yet delivered, or requeued).
    pub fn depth(&self, queue: &Queue) -> usize {
        self.shared.queue(&queue.name()).len()
    }

    /// Messages that were dead-lettered.
    pub fn dead_letters(&self) -> usize {
        self.shared.queue(DEAD_LETTER_QUEUE).len()
    }

    /// Stops the bus: consumers and subscriptions see the end of their stream, publishing
    /// fails.
    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.notices.lock().expect("notices lock").take();
        self.shared.closing.notify_waiters();
        for queue in self.shared.queues.lock().expect("bus lock").values() {
            queue.ready.notify_waiters();
        }
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, queue: &Queue, message: &Message) -> Result<(), BusError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(BusError::Closed);
        }
        let queued = Queued { message: message.clone(), trace: trace::current(), redelivered: false };
        self.shared.queue(&queue.name()).push_back(queued);
        Ok(())
    }

    async fn ready(&self) -> Result<(), BusError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(BusError::Closed);
        }
        Ok(())
    }

    async fn depth(&self, queue: &Queue) -> Result<u64, BusError> {
        // The inherent method, which tests call without awaiting.
        Ok(MemoryBus::depth(self, queue) as u64)
    }

    async fn consume(&self, queue: &Queue) -> Result<Consumer, BusError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(BusError::Closed);
        }
        Ok(Consumer::new(MemoryConsumer { shared: self.shared.clone(), queue: self.shared.queue(&queue.name()) }))
    }

    async fn broadcast(&self, notice: &Notice) -> Result<(), BusError> {
        let notices = self.shared.notices.lock().expect("notices lock");
        let sender = notices.as_ref().ok_or(BusError::Closed)?;
        // An error only says that nobody listens, which is fine.
        let _ = sender.send(notice.clone());
        Ok(())
    }

    async fn subscribe(&self) -> Result<Subscription, BusError> {
        let notices = self.shared.notices.lock().expect("notices lock");
        let sender = notices.as_ref().ok_or(BusError::Closed)?;
        Ok(Subscription::new(sender.subscribe(), None))
    }
}

struct MemoryConsumer {
    shared: Arc<Shared>,
    queue: Arc<QueueState>,
}

#[async_trait]
impl ConsumerStream for MemoryConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        loop {
            // Register interest before looking, so a publish in between is not missed.
            let ready = self.queue.ready.notified();
            let closing = self.shared.closing.notified();
            if self.shared.closed.load(Ordering::SeqCst) {
                return None;
            }
            if let Some(queued) = self.queue.pop() {
                let delivery = Delivery::new(
                    queued.message.clone(),
                    queued.redelivered,
                    Box::new(MemorySettle {
                        shared: self.shared.clone(),
                        queue: self.queue.clone(),
                        queued: queued.clone(),
                    }),
                );
                return Some(delivery.traced(queued.trace));
            }
            tokio::select! {
                _ = ready => {}
                _ = closing => {}
            }
        }
    }
}

struct MemorySettle {
    shared: Arc<Shared>,
    queue: Arc<QueueState>,
    queued: Queued,
}

#[async_trait]
impl Settle for MemorySettle {
    async fn ack(self: Box<Self>) {}

    async fn requeue(self: Box<Self>) {
        if !self.shared.closed.load(Ordering::SeqCst) {
            self.queue.push_front(self.queued);
        }
    }

    async fn dead_letter(self: Box<Self>) {
        tracing::warn!(message = ?self.queued.message, "message dead-lettered");
        self.shared.queue(DEAD_LETTER_QUEUE).push_back(Queued { redelivered: false, ..self.queued });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Received;

    fn requested(id: i64) -> Message {
        Message::ExecutionRequested { execution: id }
    }

    #[tokio::test]
    async fn delivers_in_order_and_requeues_unsettled_messages() {
        let bus = MemoryBus::new();
        let mut consumer = bus.consume(&Queue::Executor).await.unwrap();
        bus.publish(&Queue::Executor, &requested(1)).await.unwrap();
        bus.publish(&Queue::Executor, &requested(2)).await.unwrap();

        let first = consumer.next().await.unwrap();
        assert_eq!((first.message.clone(), first.redelivered), (requested(1), false));
        first.requeue().await;
        let again = consumer.next().await.unwrap();
        assert_eq!((again.message.clone(), again.redelivered), (requested(1), true));
        drop(again); // dropped unsettled: comes back
        tokio::task::yield_now().await;
        let third = consumer.next().await.unwrap();
        assert_eq!(third.message, requested(1));
        third.ack().await;
        let second = consumer.next().await.unwrap();
        assert_eq!(second.message, requested(2));
        second.dead_letter().await;
        assert_eq!((bus.depth(&Queue::Executor), bus.dead_letters()), (0, 1));
    }

    #[tokio::test]
    async fn competing_consumers_share_a_queue_and_wake_on_publish() {
        let bus = MemoryBus::new();
        let mut a = bus.consume(&Queue::Worker(1)).await.unwrap();
        let mut b = bus.consume(&Queue::Worker(1)).await.unwrap();
        let waiting = tokio::spawn(async move {
            let delivery = a.next().await.unwrap();
            let message = delivery.message.clone();
            delivery.ack().await;
            message
        });
        tokio::task::yield_now().await;
        bus.publish(&Queue::Worker(1), &requested(5)).await.unwrap();
        bus.publish(&Queue::Worker(1), &requested(6)).await.unwrap();
        let got_a = waiting.await.unwrap();
        let got_b = b.next().await.unwrap();
        let mut got = vec![got_a, got_b.message.clone()];
        got.sort_by_key(|m| format!("{m:?}"));
        assert_eq!(got, vec![requested(5), requested(6)]);
        got_b.ack().await;
        assert_eq!(bus.depth(&Queue::Worker(2)), 0, "queues are separate");
    }

    fn notice(n: i64) -> Notice {
        Notice::EventCreated { event: n, trigger_ref: "core.webhook".into() }
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_loses_the_oldest_notices_and_is_told() {
        let bus = MemoryBus::with_notice_capacity(2);
        let mut slow = bus.subscribe().await.unwrap();
        for n in 1..=5 {
            bus.broadcast(&notice(n)).await.unwrap();
        }
        assert_eq!(slow.next().await, Some(Received::Lagged { missed: 3 }));
        assert_eq!(slow.next().await, Some(Received::Notice(notice(4))));
        assert_eq!(slow.next().await, Some(Received::Notice(notice(5))));
    }

    #[tokio::test]
    async fn closing_ends_consumers() {
        let bus = MemoryBus::new();
        let mut consumer = bus.consume(&Queue::Events).await.unwrap();
        let waiting = tokio::spawn(async move { consumer.next().await.is_none() });
        tokio::task::yield_now().await;
        bus.close();
        assert!(waiting.await.unwrap());
        assert!(matches!(bus.publish(&Queue::Events, &requested(1)).await, Err(BusError::Closed)));
    }
}
