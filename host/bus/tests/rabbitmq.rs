//! What the RabbitMQ bus promises beyond the `Bus` contract: its wire format and topology,
//! poison messages, prefixes, prefetch, connection errors, queues that vanish, and the
//! notices exchange.

mod common;

use std::time::{Duration, Instant};

use attune_bus::{BusError, Queue, RabbitBus, RabbitOptions};
use common::{Fixture, RawBroker, ack_next, hear_notice, message, next, notice, test_options, unique_prefix};
use futures::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicGetOptions, BasicPublishOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};

#[tokio::test]
async fn messages_are_persistent_json_on_a_durable_queue_with_a_dead_letter_exchange() {
    let fixture = Fixture::rabbitmq().await;
    let finished = attune_bus::Message::ExecutionFinished {
        execution: 9,
        status: attune_domain::status::ExecutionStatus::Completed,
        parent: Some(3),
    };
    fixture.bus.publish(&Queue::Executor, &finished).await.unwrap();

    let raw = RawBroker::connect().await;
    let queue = fixture.rabbit().queue_name(&Queue::Executor);
    // The broker accepts a declaration only if it matches the existing queue exactly.
    let mut arguments = FieldTable::default();
    let dead_letter = fixture.rabbit().dead_letter_queue_name();
    arguments.insert("x-dead-letter-exchange".into(), AMQPValue::LongString(dead_letter.as_str().into()));
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    raw.channel.queue_declare(&queue, durable, arguments).await.expect("a durable queue that dead-letters");

    let got = raw.channel.basic_get(&queue, BasicGetOptions { no_ack: true }).await.unwrap().expect("the message");
    assert_eq!(got.delivery.properties.delivery_mode(), &Some(2), "persistent");
    assert_eq!(got.delivery.properties.content_type().as_ref().map(|t| t.as_str()), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&got.delivery.data).unwrap(),
        serde_json::to_value(&finished).unwrap()
    );
    fixture.finish().await;
}

#[tokio::test]
async fn notices_are_transient_json_on_the_prefixed_fanout_exchange() {
    let fixture = Fixture::rabbitmq().await;
    let mut subscription = fixture.bus.subscribe().await.unwrap();
    let exchange = fixture.rabbit().notices_exchange_name();
    assert_eq!(exchange, format!("{}attune.notifications", fixture.prefix()));

    // A queue of our own bound to the exchange hears what the subscriber hears.
    let raw = RawBroker::connect().await;
    let own = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
    let queue = raw.channel.queue_declare("", own, FieldTable::default()).await.unwrap();
    raw.channel
        .queue_bind(queue.name().as_str(), &exchange, "", QueueBindOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let no_ack = BasicConsumeOptions { no_ack: true, ..BasicConsumeOptions::default() };
    let mut copies = raw.channel.basic_consume(queue.name().as_str(), "", no_ack, FieldTable::default()).await.unwrap();

    fixture.bus.broadcast(&notice(1)).await.unwrap();
    hear_notice(&mut subscription, &notice(1)).await;
    let copy = tokio::time::timeout(common::DELIVERY_TIMEOUT, copies.next()).await.unwrap().unwrap().unwrap();
    assert_ne!(copy.properties.delivery_mode(), &Some(2), "not persistent");
    assert_eq!(copy.properties.content_type().as_ref().map(|t| t.as_str()), Some("application/json"));
    assert_eq!(serde_json::from_slice::<attune_bus::Notice>(&copy.data).unwrap(), notice(1));

    // Something undecodable on the exchange is skipped, not handed out.
    raw.channel
        .basic_publish(&exchange, "", BasicPublishOptions::default(), b"{\"type\":\"nonsense\"}", Default::default())
        .await
        .unwrap();
    fixture.bus.broadcast(&notice(2)).await.unwrap();
    hear_notice(&mut subscription, &notice(2)).await;
    fixture.finish().await;
}

#[tokio::test]
async fn notices_stay_within_their_prefix() {
    let first = Fixture::rabbitmq().await;
    let second = Fixture::rabbitmq().await;
    let mut first_hears = first.bus.subscribe().await.unwrap();
    let mut second_hears = second.bus.subscribe().await.unwrap();
    first.bus.broadcast(&notice(1)).await.unwrap();
    second.bus.broadcast(&notice(2)).await.unwrap();
    hear_notice(&mut second_hears, &notice(2)).await;
    hear_notice(&mut first_hears, &notice(1)).await;
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn an_undecodable_message_is_dead_lettered_and_never_handed_out() {
    let fixture = Fixture::rabbitmq().await;
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    let raw = RawBroker::connect().await;
    raw.publish(&fixture.rabbit().queue_name(&Queue::Executor), b"{\"type\":\"no_such_message\"}").await;
    fixture.bus.publish(&Queue::Executor, &message(1)).await.unwrap();

    let delivery = next(&mut consumer).await;
    assert_eq!((&delivery.message, delivery.redelivered), (&message(1), false));
    delivery.ack().await;
    let dead = raw.take(&fixture.rabbit().dead_letter_queue_name(), 1).await;
    assert_eq!(dead, vec![b"{\"type\":\"no_such_message\"}".to_vec()]);
    fixture.finish().await;
}

#[tokio::test]
async fn prefixes_keep_deployments_on_one_broker_apart() {
    let first = Fixture::rabbitmq().await;
    let second = Fixture::rabbitmq().await;
    assert_ne!(first.rabbit().queue_name(&Queue::Executor), second.rabbit().queue_name(&Queue::Executor));
    let mut first_consumer = first.bus.consume(&Queue::Executor).await.unwrap();
    let mut second_consumer = second.bus.consume(&Queue::Executor).await.unwrap();
    first.bus.publish(&Queue::Executor, &message(1)).await.unwrap();
    second.bus.publish(&Queue::Executor, &message(2)).await.unwrap();
    ack_next(&mut second_consumer, &message(2)).await;
    ack_next(&mut first_consumer, &message(1)).await;
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn prefetch_bounds_what_one_consumer_holds() {
    let fixture = Fixture::rabbitmq_with(RabbitOptions { prefetch: 2, ..test_options(&unique_prefix()) }).await;
    let mut greedy = fixture.bus.consume(&Queue::Events).await.unwrap();
    for n in 1..=3 {
        fixture.bus.publish(&Queue::Events, &message(n)).await.unwrap();
    }
    // The first consumer may hold two; the third message waits for someone else.
    let mut other = fixture.bus.consume(&Queue::Events).await.unwrap();
    ack_next(&mut other, &message(3)).await;
    ack_next(&mut greedy, &message(1)).await;
    ack_next(&mut greedy, &message(2)).await;
    fixture.finish().await;
}

#[tokio::test]
async fn a_delivery_can_be_settled_after_its_consumer_is_dropped() {
    let fixture = Fixture::rabbitmq().await;
    let mut consumer = fixture.bus.consume(&Queue::Worker(1)).await.unwrap();
    fixture.bus.publish(&Queue::Worker(1), &message(1)).await.unwrap();
    fixture.bus.publish(&Queue::Worker(1), &message(2)).await.unwrap();
    let delivery = next(&mut consumer).await;
    assert_eq!(delivery.message, message(1));
    drop(consumer);
    delivery.ack().await;

    // Message 1 stays acknowledged; message 2, prefetched by the dropped consumer but never
    // handed out, comes back.
    let mut consumer = fixture.bus.consume(&Queue::Worker(1)).await.unwrap();
    let delivery = next(&mut consumer).await;
    assert_eq!(delivery.message, message(2));
    delivery.ack().await;
    fixture.finish().await;
}

#[tokio::test]
async fn a_queue_deleted_under_its_users_is_declared_again() {
    let fixture = Fixture::rabbitmq().await;
    let mut consumer = fixture.bus.consume(&Queue::Events).await.unwrap();
    fixture.bus.publish(&Queue::Events, &message(1)).await.unwrap();
    ack_next(&mut consumer, &message(1)).await;

    let raw = RawBroker::connect().await;
    raw.channel
        .queue_delete(&fixture.rabbit().queue_name(&Queue::Events), QueueDeleteOptions::default())
        .await
        .unwrap();
    // The publisher's knowledge that the queue exists is stale now; the broker returns the
    // message if the consumer has not re-declared the queue yet, and the publisher retries.
    fixture.bus.publish(&Queue::Events, &message(2)).await.unwrap();
    ack_next(&mut consumer, &message(2)).await;
    fixture.finish().await;
}

#[tokio::test]
async fn an_unreachable_broker_is_reported_without_credentials() {
    let options =
        RabbitOptions { connect_timeout: Duration::from_millis(300), ..RabbitOptions::with_prefix("unused.") };
    let started = Instant::now();
    // Port 1 on the loopback: nothing listens there, so every attempt is refused at once.
    let result = RabbitBus::connect("amqp://attune:s3cret@127.0.0.1:1/%2f", options).await;
    let Err(BusError::Unavailable(reason)) = result else { panic!("connecting to a closed port must fail") };
    assert!(reason.contains("127.0.0.1:1") && reason.contains("refused"), "{reason}");
    assert!(!reason.contains("s3cret"), "the password leaked into: {reason}");
    assert!(started.elapsed() < Duration::from_secs(5), "gave up after {:?}", started.elapsed());

    let invalid = RabbitBus::connect("amqp://127.0.0.1:notaport", RabbitOptions::default()).await;
    assert!(matches!(invalid, Err(BusError::Unavailable(reason)) if reason.contains("invalid AMQP URL")));
}
