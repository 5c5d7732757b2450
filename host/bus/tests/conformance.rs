//! The `Bus` contract, checked once for every implementation: each test body below runs
//! against the in-process bus and against RabbitMQ (which must be reachable; see `common`).
//! Queues first (competing consumers), then the notice fan-out (every subscriber hears all).

mod common;

use attune_bus::{BusError, Message, Notice, Queue, Received};
use common::{Fixture, SMALL_NOTICE_BUFFER, ack_next, hear, hear_notice, message, next, notice, sorted};

/// Runs a test body once per implementation: `<name>::memory` and `<name>::rabbitmq`, on
/// fixtures made by the default constructors or the two named.
macro_rules! bus_test {
    ($name:ident) => {
        bus_test!($name, memory, rabbitmq);
    };
    ($name:ident, $memory:ident, $rabbitmq:ident) => {
        mod $name {
            #[tokio::test]
            async fn memory() {
                super::$name(super::Fixture::$memory()).await;
            }

            #[tokio::test]
            async fn rabbitmq() {
                super::$name(super::Fixture::$rabbitmq().await).await;
            }
        }
    };
}

bus_test!(a_single_consumer_gets_messages_in_publishing_order);
async fn a_single_consumer_gets_messages_in_publishing_order(fixture: Fixture) {
    // Published before anyone consumes: the queue keeps them.
    for n in 1..=20 {
        fixture.bus.publish(&Queue::Executor, &message(n)).await.unwrap();
    }
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    for n in 1..=20 {
        let delivery = next(&mut consumer).await;
        assert_eq!((&delivery.message, delivery.redelivered), (&message(n), false));
        delivery.ack().await;
    }
    fixture.finish().await;
}

bus_test!(competing_consumers_share_messages_without_loss_or_duplicates);
async fn competing_consumers_share_messages_without_loss_or_duplicates(fixture: Fixture) {
    const CONSUMERS: usize = 3;
    const EACH: usize = 4;
    let mut consumers = Vec::new();
    for _ in 0..CONSUMERS {
        consumers.push(fixture.bus.consume(&Queue::Events).await.unwrap());
    }
    let published: Vec<Message> = (1..=(CONSUMERS * EACH) as i64).map(message).collect();
    for message in &published {
        fixture.bus.publish(&Queue::Events, message).await.unwrap();
    }

    // Every consumer takes its share while holding what it already has: a message held
    // unsettled by one consumer is never handed to another.
    let mut held = Vec::new();
    for _ in 0..EACH {
        for consumer in &mut consumers {
            held.push(next(consumer).await);
        }
    }
    // Sorted side by side, a duplicate or a missing message shows as a difference.
    let received = sorted(held.iter().map(|delivery| delivery.message.clone()).collect());
    assert_eq!(received, sorted(published));
    assert!(held.iter().all(|delivery| !delivery.redelivered));
    for delivery in held {
        delivery.ack().await;
    }

    // Nothing is left over: one fresh message per consumer, and that is what they get.
    let fresh: Vec<Message> = (100..100 + CONSUMERS as i64).map(message).collect();
    for message in &fresh {
        fixture.bus.publish(&Queue::Events, message).await.unwrap();
    }
    let mut got = Vec::new();
    for consumer in &mut consumers {
        let delivery = next(consumer).await;
        got.push(delivery.message.clone());
        delivery.ack().await;
    }
    assert_eq!(sorted(got), sorted(fresh));
    fixture.finish().await;
}

bus_test!(a_requeued_message_is_redelivered_and_marked);
async fn a_requeued_message_is_redelivered_and_marked(fixture: Fixture) {
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(1)).await.unwrap();
    let first = next(&mut consumer).await;
    assert_eq!((&first.message, first.redelivered), (&message(1), false));
    first.requeue().await;
    let again = next(&mut consumer).await;
    assert_eq!((&again.message, again.redelivered), (&message(1), true));
    again.ack().await;

    fixture.bus.publish(&Queue::Executor, &message(2)).await.unwrap();
    ack_next(&mut consumer, &message(2)).await;
    fixture.finish().await;
}

bus_test!(a_delivery_dropped_unsettled_comes_back);
async fn a_delivery_dropped_unsettled_comes_back(fixture: Fixture) {
    let mut consumer = fixture.bus.consume(&Queue::Worker(1)).await.unwrap();
    fixture.bus.publish(&Queue::Worker(1), &message(7)).await.unwrap();
    let delivery = next(&mut consumer).await;
    assert_eq!(delivery.message, message(7));
    drop(delivery); // as a handler that panicked would
    let again = next(&mut consumer).await;
    assert_eq!((&again.message, again.redelivered), (&message(7), true));
    again.ack().await;

    fixture.bus.publish(&Queue::Worker(1), &message(8)).await.unwrap();
    ack_next(&mut consumer, &message(8)).await;
    fixture.finish().await;
}

bus_test!(a_dead_lettered_message_leaves_its_queue);
async fn a_dead_lettered_message_leaves_its_queue(fixture: Fixture) {
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(1)).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(2)).await.unwrap();
    let poisoned = next(&mut consumer).await;
    assert_eq!(poisoned.message, message(1));
    poisoned.dead_letter().await;
    ack_next(&mut consumer, &message(2)).await;
    fixture.bus.publish(&Queue::Executor, &message(3)).await.unwrap();
    ack_next(&mut consumer, &message(3)).await;
    fixture.expect_dead_letters(&[message(1)]).await;
    fixture.finish().await;
}

bus_test!(queues_are_independent);
async fn queues_are_independent(fixture: Fixture) {
    let queues = [Queue::Worker(1), Queue::Worker(2), Queue::Events];
    let mut consumers = Vec::new();
    for queue in &queues {
        consumers.push(fixture.bus.consume(queue).await.unwrap());
    }
    // Published in the reverse order of consumption, so a shared FIFO would show.
    for (n, queue) in queues.iter().enumerate().rev() {
        fixture.bus.publish(queue, &message(n as i64)).await.unwrap();
    }
    for (n, consumer) in consumers.iter_mut().enumerate() {
        ack_next(consumer, &message(n as i64)).await;
    }
    // None of them got anything else: a second message on each is the next thing it sees.
    for (n, queue) in queues.iter().enumerate() {
        fixture.bus.publish(queue, &message(10 + n as i64)).await.unwrap();
    }
    for (n, consumer) in consumers.iter_mut().enumerate() {
        ack_next(consumer, &message(10 + n as i64)).await;
    }
    fixture.finish().await;
}

bus_test!(closing_ends_consumers_and_refuses_new_work);
async fn closing_ends_consumers_and_refuses_new_work(fixture: Fixture) {
    let mut waiting = fixture.bus.consume(&Queue::Events).await.unwrap();
    let mut idle = fixture.bus.consume(&Queue::Executor).await.unwrap();
    let waiter = tokio::spawn(async move { waiting.next().await.map(|delivery| delivery.message.clone()) });
    fixture.close().await;
    let ended = tokio::time::timeout(common::DELIVERY_TIMEOUT, waiter).await.expect("the waiting consumer ends");
    assert_eq!(ended.unwrap(), None);
    assert!(idle.next().await.is_none());
    assert!(matches!(fixture.bus.publish(&Queue::Events, &message(1)).await, Err(BusError::Closed)));
    assert!(matches!(fixture.bus.consume(&Queue::Events).await, Err(BusError::Closed)));
    fixture.finish().await;
}

bus_test!(every_subscriber_hears_every_notice_in_order);
async fn every_subscriber_hears_every_notice_in_order(fixture: Fixture) {
    let mut first = fixture.bus.subscribe().await.unwrap();
    let mut second = fixture.bus.subscribe().await.unwrap();
    for n in 1..=10 {
        fixture.bus.broadcast(&notice(n)).await.unwrap();
    }
    for subscription in [&mut first, &mut second] {
        for n in 1..=10 {
            hear_notice(subscription, &notice(n)).await;
        }
    }
    fixture.finish().await;
}

bus_test!(a_late_subscriber_hears_only_what_follows_its_subscription);
async fn a_late_subscriber_hears_only_what_follows_its_subscription(fixture: Fixture) {
    let mut early = fixture.bus.subscribe().await.unwrap();
    fixture.bus.broadcast(&notice(1)).await.unwrap();
    hear_notice(&mut early, &notice(1)).await;
    let mut late = fixture.bus.subscribe().await.unwrap();
    fixture.bus.broadcast(&notice(2)).await.unwrap();
    hear_notice(&mut late, &notice(2)).await;
    hear_notice(&mut early, &notice(2)).await;
    fixture.finish().await;
}

bus_test!(broadcasting_with_nobody_listening_is_not_an_error);
async fn broadcasting_with_nobody_listening_is_not_an_error(fixture: Fixture) {
    fixture.bus.broadcast(&notice(1)).await.unwrap();
    let subscription = fixture.bus.subscribe().await.unwrap();
    drop(subscription);
    fixture.bus.broadcast(&notice(2)).await.unwrap();
    let mut again = fixture.bus.subscribe().await.unwrap();
    fixture.bus.broadcast(&notice(3)).await.unwrap();
    hear_notice(&mut again, &notice(3)).await;
    fixture.finish().await;
}

bus_test!(notices_and_queued_messages_do_not_mix);
async fn notices_and_queued_messages_do_not_mix(fixture: Fixture) {
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    let mut subscription = fixture.bus.subscribe().await.unwrap();
    fixture.bus.broadcast(&notice(1)).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(1)).await.unwrap();
    fixture.bus.broadcast(&notice(2)).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(2)).await.unwrap();
    // Each side gets exactly its own, in order.
    ack_next(&mut consumer, &message(1)).await;
    ack_next(&mut consumer, &message(2)).await;
    hear_notice(&mut subscription, &notice(1)).await;
    hear_notice(&mut subscription, &notice(2)).await;
    fixture.finish().await;
}

bus_test!(a_subscriber_that_falls_behind_is_told_how_many_it_missed, memory_small_buffer, rabbitmq_small_buffer);
async fn a_subscriber_that_falls_behind_is_told_how_many_it_missed(fixture: Fixture) {
    const COUNT: i64 = 100;
    let mut slow = fixture.bus.subscribe().await.unwrap();
    let mut witness = fixture.bus.subscribe().await.unwrap();
    for n in 1..=COUNT {
        fixture.bus.broadcast(&notice(n)).await.unwrap();
    }
    // Once the witness heard the last notice, the slow subscriber has been handed every
    // one too (over RabbitMQ, its queue is fed at the same time as the witness's).
    while hear(&mut witness).await != Received::Notice(notice(COUNT)) {}

    let (mut heard, mut missed) = (Vec::new(), 0);
    while heard.last() != Some(&COUNT) {
        match hear(&mut slow).await {
            Received::Lagged { missed: n } => missed += n,
            Received::Notice(Notice::ExecutionOutput { seq, .. }) => heard.push(seq),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(missed > 0, "a subscriber {COUNT} notices behind with room for {SMALL_NOTICE_BUFFER} is told it lagged");
    assert_eq!(heard.len() as u64 + missed, COUNT as u64, "each notice is heard or counted as missed: {heard:?}");
    assert!(heard.windows(2).all(|pair| pair[0] < pair[1]), "what is heard keeps its order: {heard:?}");
    fixture.finish().await;
}

bus_test!(closing_ends_subscriptions_and_refuses_notices);
async fn closing_ends_subscriptions_and_refuses_notices(fixture: Fixture) {
    let mut subscription = fixture.bus.subscribe().await.unwrap();
    let waiter = tokio::spawn(async move { subscription.next().await });
    fixture.close().await;
    let ended = tokio::time::timeout(common::DELIVERY_TIMEOUT, waiter).await.expect("the subscription ends");
    assert_eq!(ended.unwrap(), None);
    assert!(matches!(fixture.bus.broadcast(&notice(1)).await, Err(BusError::Closed)));
    assert!(matches!(fixture.bus.subscribe().await, Err(BusError::Closed)));
    fixture.finish().await;
}

bus_test!(depth_counts_the_messages_waiting_and_not_those_delivered);
async fn depth_counts_the_messages_waiting_and_not_those_delivered(fixture: Fixture) {
    assert_eq!(fixture.bus.depth(&Queue::Events).await.unwrap(), 0, "a queue nobody declared");
    for n in 1..=3 {
        fixture.bus.publish(&Queue::Executor, &message(n)).await.unwrap();
    }
    assert_eq!(fixture.bus.depth(&Queue::Executor).await.unwrap(), 3, "published, nobody consuming");
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    ack_next(&mut consumer, &message(1)).await;
    // One settled, the others delivered (prefetched) or still waiting.
    let left = fixture.bus.depth(&Queue::Executor).await.unwrap();
    assert!(left <= 2, "{left}");
    fixture.finish().await;
}

bus_test!(a_message_carries_the_trace_context_it_was_published_in);
async fn a_message_carries_the_trace_context_it_was_published_in(fixture: Fixture) {
    use attune_telemetry::trace::{self, TraceParent, TraceSettings};
    use tracing::Instrument;
    use tracing_subscriber::layer::SubscriberExt;

    let settings = TraceSettings { service: "attune-test".into(), otlp_endpoint: None, sample_ratio: 1.0 };
    let (layer, _tracing) = trace::layer(&settings).unwrap();
    let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let caller = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    // Only spans of Attune's crates are traced.
    let span = tracing::info_span!(target: "attune_bus", "publishing", trace_id = tracing::field::Empty);
    trace::continue_trace(&span, Some(&caller));
    let publisher = trace::of(&span).unwrap();

    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(1)).instrument(span).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(2)).await.unwrap();

    let (first, second) = (next(&mut consumer).await, next(&mut consumer).await);
    let (traced, untraced) = if first.message == message(1) { (first, second) } else { (second, first) };
    assert_eq!(traced.trace.as_ref(), Some(&publisher), "the publishing span is the parent");
    assert_eq!(traced.trace.as_ref().unwrap().trace_id(), caller.trace_id());
    assert_eq!((&untraced.message, untraced.trace.as_ref()), (&message(2), None), "published outside any span");
    untraced.ack().await;
    traced.requeue().await;
    let again = next(&mut consumer).await;
    assert_eq!((&again.message, again.trace.as_ref()), (&message(1), Some(&publisher)), "kept when requeued");
    again.ack().await;
    fixture.finish().await;
}
