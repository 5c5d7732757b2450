//! Names and declarations on the broker: every queue is durable and dead-letters into one
//! durable dead-letter queue per prefix, through a fanout exchange of the same name.
//! Notices go through a transient fanout exchange per prefix, to one exclusive queue per
//! subscriber.

use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

use crate::Queue;
use crate::memory::DEAD_LETTER_QUEUE;

/// The notices exchange, before its prefix.
const NOTICES_EXCHANGE: &str = "attune.notifications";

/// Broker names under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    prefix: String,
}

impl Names {
    pub(crate) fn new(prefix: &str) -> Self {
        Self { prefix: prefix.to_owned() }
    }

    pub(crate) fn queue(&self, queue: &Queue) -> String {
        format!("{}{}", self.prefix, queue.name())
    }

    /// Both the dead-letter exchange and its queue: exchanges and queues are separate
    /// namespaces, and one name makes the pair easy to find in the management UI.
    pub(crate) fn dead_letter(&self) -> String {
        format!("{}{DEAD_LETTER_QUEUE}", self.prefix)
    }

    /// The fanout exchange notices are broadcast on.
    pub(crate) fn notices(&self) -> String {
        format!("{}{NOTICES_EXCHANGE}", self.prefix)
    }
}

fn durable_queue() -> QueueDeclareOptions {
    QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() }
}

/// Declares `queue` and the dead-letter pair it routes rejected messages to. Idempotent, so
/// it runs on every first use and every re-subscription: a broker that lost its
/// definitions (a reset, a new node) gets them back.
pub(crate) async fn declare(channel: &Channel, names: &Names, queue: &str) -> lapin::Result<()> {
    let dead_letter = names.dead_letter();
    // Fanout: a dead-lettered message keeps its original routing key (its queue's name),
    // which a direct binding would have to list queue by queue.
    channel
        .exchange_declare(
            &dead_letter,
            ExchangeKind::Fanout,
            ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() },
            FieldTable::default(),
        )
        .await?;
    channel.queue_declare(&dead_letter, durable_queue(), FieldTable::default()).await?;
    channel.queue_bind(&dead_letter, &dead_letter, "", QueueBindOptions::default(), FieldTable::default()).await?;

    let mut arguments = FieldTable::default();
    arguments.insert("x-dead-letter-exchange".into(), AMQPValue::LongString(dead_letter.as_str().into()));
    channel.queue_declare(queue, durable_queue(), arguments).await?;
    Ok(())
}

/// Messages ready in `queue`, by a passive declaration (which changes nothing); 0 when the
/// broker has no such queue yet (it answers `NOT_FOUND`, closing the channel).
pub(crate) async fn depth(channel: &Channel, queue: &str) -> lapin::Result<u64> {
    let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    match channel.queue_declare(queue, passive, FieldTable::default()).await {
        Ok(declared) => Ok(u64::from(declared.message_count())),
        Err(error) if error.to_string().contains("NOT_FOUND") => Ok(0),
        Err(error) => Err(error),
    }
}

/// Declares the notices exchange. Not durable: notices are news of the moment, and every
/// publisher and subscriber declares it again on each new channel, so a broker restart
/// that forgot it costs nothing.
pub(crate) async fn declare_notices(channel: &Channel, names: &Names) -> lapin::Result<()> {
    channel
        .exchange_declare(
            &names.notices(),
            ExchangeKind::Fanout,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
}

/// Declares a subscriber's queue — named by the broker, exclusive to this connection,
/// deleted with it — and binds it to the notices exchange. Returns its name.
pub(crate) async fn declare_subscriber(channel: &Channel, names: &Names) -> lapin::Result<String> {
    declare_notices(channel, names).await?;
    let options = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
    let queue = channel.queue_declare("", options, FieldTable::default()).await?;
    let name = queue.name().as_str().to_owned();
    channel.queue_bind(&name, &names.notices(), "", QueueBindOptions::default(), FieldTable::default()).await?;
    Ok(name)
}

/// Deletes `queues`, then the dead-letter queue and exchange, with whatever they hold, and
/// the notices exchange.
pub(crate) async fn delete(channel: &Channel, names: &Names, queues: &[Queue]) -> lapin::Result<()> {
    for queue in queues {
        channel.queue_delete(&names.queue(queue), QueueDeleteOptions::default()).await?;
    }
    let dead_letter = names.dead_letter();
    channel.queue_delete(&dead_letter, QueueDeleteOptions::default()).await?;
    channel.exchange_delete(&dead_letter, ExchangeDeleteOptions::default()).await?;
    channel.exchange_delete(&names.notices(), ExchangeDeleteOptions::default()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_prefix() {
        let names = Names::new("test-1.");
        assert_eq!(names.queue(&Queue::Executor), "test-1.attune.executor");
        assert_eq!(names.queue(&Queue::Worker(4)), "test-1.attune.worker.4");
        assert_eq!(names.dead_letter(), "test-1.attune.dead-letter");
        assert_eq!(names.notices(), "test-1.attune.notifications");
        assert_eq!(Names::new("").queue(&Queue::Events), "attune.events");
    }
}
