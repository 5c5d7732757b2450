//! The RabbitMQ bus across a broker restart (`rabbitmqctl stop_app` / `start_app` of the
//! local node). These tests stop the shared broker, so they live in a binary of their own
//! and run one at a time; each leaves the broker running, even when it fails.

mod common;

use std::time::{Duration, Instant};

use attune_bus::{BusError, Notice, Queue, Received};
use common::{Fixture, ack_next, broker, hear_notice, message, next_within, notice, test_options, unique_prefix};

/// Long enough for a restart of the broker and the back-off after it.
const ACROSS_RESTART: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_waiting_consumer_keeps_receiving_after_a_restart() {
    let _broker = broker::exclusive().await;
    let fixture = Fixture::rabbitmq().await;
    let mut consumer = fixture.bus.consume(&Queue::Executor).await.unwrap();
    fixture.bus.publish(&Queue::Executor, &message(1)).await.unwrap();
    ack_next(&mut consumer, &message(1)).await;

    // The same consumer waits through the whole outage.
    let waiting = tokio::spawn(async move {
        let delivery = next_within(&mut consumer, ACROSS_RESTART).await;
        let got = (delivery.message.clone(), delivery.redelivered);
        delivery.ack().await;
        got
    });
    broker::stop().await.end().await;
    fixture.bus.publish(&Queue::Executor, &message(2)).await.unwrap();
    assert_eq!(waiting.await.unwrap(), (message(2), false));
    fixture.finish().await;
}

#[tokio::test]
async fn messages_published_before_a_restart_are_delivered_after_it() {
    let _broker = broker::exclusive().await;
    let fixture = Fixture::rabbitmq().await;
    for n in 1..=3 {
        fixture.bus.publish(&Queue::Events, &message(n)).await.unwrap();
    }
    broker::stop().await.end().await;
    let mut consumer = fixture.bus.consume(&Queue::Events).await.unwrap();
    for n in 1..=3 {
        let delivery = next_within(&mut consumer, ACROSS_RESTART).await;
        assert_eq!(delivery.message, message(n), "persistent messages survive, in order");
        delivery.ack().await;
    }
    fixture.finish().await;
}

#[tokio::test]
async fn a_publish_during_an_outage_completes_when_the_broker_is_back() {
    let _broker = broker::exclusive().await;
    let fixture = Fixture::rabbitmq().await;
    let prefix = fixture.prefix().to_owned();
    // A second bus of the same prefix that gives up quickly.
    let impatient = common::connect_rabbit(attune_bus::RabbitOptions {
        publish_timeout: Duration::from_millis(500),
        ..test_options(&prefix)
    })
    .await;
    fixture.bus.publish(&Queue::Worker(1), &message(0)).await.unwrap();

    let outage = broker::stop().await;
    let bus = fixture.bus.clone();
    let patient = tokio::spawn(async move { bus.publish(&Queue::Worker(1), &message(1)).await });
    let refused = attune_bus::Bus::publish(&impatient, &Queue::Worker(1), &message(2)).await;
    assert!(
        matches!(&refused, Err(BusError::Unavailable(reason)) if reason.contains("not confirmed within")),
        "a publish that outlives its timeout reports the bus unavailable: {refused:?}"
    );
    assert!(!patient.is_finished(), "nothing can confirm a publish while the broker is down");
    outage.end().await;
    tokio::time::timeout(ACROSS_RESTART, patient)
        .await
        .expect("the publish completes once the broker is back")
        .unwrap()
        .unwrap();

    let mut consumer = fixture.bus.consume(&Queue::Worker(1)).await.unwrap();
    ack_next(&mut consumer, &message(0)).await;
    ack_next(&mut consumer, &message(1)).await;
    impatient.close().await;
    fixture.finish().await;
}

#[tokio::test]
async fn a_delivery_unacknowledged_at_a_restart_is_redelivered() {
    let _broker = broker::exclusive().await;
    let fixture = Fixture::rabbitmq_with(test_options(&unique_prefix())).await;
    let mut consumer = fixture.bus.consume(&Queue::Worker(2)).await.unwrap();
    fixture.bus.publish(&Queue::Worker(2), &message(5)).await.unwrap();
    let stale = next_within(&mut consumer, ACROSS_RESTART).await;
    assert_eq!((&stale.message, stale.redelivered), (&message(5), false));

    broker::stop().await.end().await;
    let again = next_within(&mut consumer, ACROSS_RESTART).await;
    assert_eq!((&again.message, again.redelivered), (&message(5), true));
    again.ack().await;
    // Its channel is gone: acknowledging the old delivery is logged and changes nothing.
    stale.ack().await;

    fixture.bus.publish(&Queue::Worker(2), &message(6)).await.unwrap();
    ack_next(&mut consumer, &message(6)).await;
    fixture.finish().await;
}

#[tokio::test]
async fn broadcasts_never_wait_for_the_broker_and_subscriptions_hear_again_after_a_restart() {
    let _broker = broker::exclusive().await;
    let fixture = Fixture::rabbitmq().await;
    let mut subscription = fixture.bus.subscribe().await.unwrap();
    fixture.bus.broadcast(&notice(1)).await.unwrap();
    hear_notice(&mut subscription, &notice(1)).await;

    let outage = broker::stop().await;
    for n in 2..=4 {
        // Dropped (or sent into a connection about to be noticed dead): either way at once.
        let started = Instant::now();
        let _ = fixture.bus.broadcast(&notice(n)).await;
        assert!(started.elapsed() < Duration::from_secs(3), "a broadcast waited {:?}", started.elapsed());
    }
    outage.end().await;

    // The subscription declares a new queue once the broker is back; notices broadcast
    // before that are lost. Keep broadcasting until one is heard.
    let deadline = Instant::now() + ACROSS_RESTART;
    let mut n = 100;
    let heard = loop {
        assert!(Instant::now() < deadline, "no notice heard after the restart");
        n += 1;
        let _ = fixture.bus.broadcast(&notice(n)).await;
        if let Ok(heard) = tokio::time::timeout(Duration::from_millis(200), subscription.next()).await {
            break heard.expect("the subscription lives on");
        }
    };
    let Received::Notice(Notice::ExecutionOutput { seq, .. }) = heard else { panic!("unexpected {heard:?}") };
    assert!(seq > 100, "only notices broadcast after the restart are heard, got {seq}");
    fixture.finish().await;
}
