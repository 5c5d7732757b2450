//! Every recovery rule, on both stores, without waiting: executions are put in the state a
//! crash or a lost message leaves them in, and one reconciliation pass must get each moving.
//! Liveness and staleness come from the pass's configuration (a worker is gone when
//! `dead_after` is zero; everything is stale when `stale_after` is zero), judged a second
//! ahead of the store's clock.

mod support;

use std::sync::Arc;
use std::time::Duration;

use attune_bus::{Bus, MemoryBus, Message, Queue};
use attune_domain::Id;
use attune_domain::execution::{ExecutionPatch, NewExecution};
use attune_domain::status::ExecutionStatus::{self, *};
use attune_executor::clock::ManualClock;
use attune_executor::{ExecutorConfig, Reconciler};
use attune_test_support::{Backend, TestStore, backend_tests};
use serde_json::json;

backend_tests!(
    stale_requests_are_announced_again_and_stalled_scheduling_released,
    work_on_a_gone_worker_is_released_abandoned_requeued_or_cancelled,
    work_on_a_live_worker_gets_its_message_again,
    fresh_work_is_left_alone,
    work_sent_again_goes_on_in_the_executions_trace,
);

struct World {
    store: TestStore,
    bus: Arc<MemoryBus>,
    worker: Id,
}

impl World {
    async fn new(backend: Backend) -> World {
        let (store, worker) = support::store_with_worker(backend).await;
        World { store, bus: Arc::new(MemoryBus::new()), worker }
    }

    /// An execution moved along `path` (from `requested`), on the world's worker.
    async fn execution(&self, path: &[ExecutionStatus], config: serde_json::Value) -> Id {
        let new = NewExecution::of("core.echo", config, json!({}));
        let id = self.store.store.create_execution(&new).await.unwrap().id;
        let mut at = Requested;
        for &next in path {
            let patch = ExecutionPatch { worker: Some(self.worker), ..ExecutionPatch::default() };
            #[expect(clippy::disallowed_methods, reason = "setting up the state a crash leaves behind")]
            let moved = self.store.store.transition_execution(id, &[at], next, &patch).await.unwrap();
            assert!(moved.is_some(), "{at} -> {next}");
            at = next;
        }
        id
    }

    /// One pass with a worker `gone` or alive, and everything stale or nothing.
    async fn pass(&self, gone: bool, stale: bool) -> attune_executor::ReconcileReport {
        let config = ExecutorConfig {
            dead_after: if gone { Duration::ZERO } else { Duration::from_secs(3600) },
            stale_after: if stale { Duration::ZERO } else { Duration::from_secs(3600) },
            ..ExecutorConfig::default()
        };
        // A second ahead, so that what was written just now is older than "now".
        let clock = Arc::new(ManualClock::new());
        clock.advance(Duration::from_secs(1));
        Reconciler::new(&support::platform(&self.store, self.bus.clone()), config)
            .with_clock(clock)
            .pass(false)
            .await
            .unwrap()
    }

    async fn status(&self, id: Id) -> ExecutionStatus {
        self.store.store.get_execution(id).await.unwrap().status
    }
}

async fn stale_requests_are_announced_again_and_stalled_scheduling_released(backend: Backend) {
    let world = World::new(backend).await;
    let lost = world.execution(&[], json!({})).await;
    let stalled = world.execution(&[Scheduling], json!({})).await;

    let report = world.pass(false, true).await;
    assert_eq!(world.status(lost).await, Requested);
    assert_eq!(world.status(stalled).await, Requested, "an executor died while scheduling it");
    assert_eq!(report.requeued, 1);
    assert_eq!(world.bus.depth(&Queue::Executor), 2, "both announced to the executors");
}

async fn work_on_a_gone_worker_is_released_abandoned_requeued_or_cancelled(backend: Backend) {
    let world = World::new(backend).await;
    let assigned = world.execution(&[Scheduling, Scheduled], json!({})).await;
    let running = world.execution(&[Scheduling, Scheduled, Running], json!({})).await;
    let mut echo = world.store.store.get_action("core.echo").await.unwrap();
    echo.idempotent = true;
    let snapshot = serde_json::to_value(&echo).unwrap();
    let idempotent = world.execution(&[Scheduling, Scheduled, Running], snapshot).await;
    let canceling = world.execution(&[Scheduling, Scheduled, Running, Canceling], json!({})).await;

    let report = world.pass(true, false).await;
    assert_eq!(world.status(assigned).await, Requested, "never started: scheduled again");
    let abandoned = world.store.store.get_execution(running).await.unwrap();
    assert_eq!(abandoned.status, Abandoned);
    assert_eq!(abandoned.result.unwrap()["error"]["kind"], "abandoned");
    let again = world.store.store.get_execution(idempotent).await.unwrap();
    assert_eq!((again.status, again.attempt), (Requested, 2), "an idempotent action runs again");
    assert_eq!(world.status(canceling).await, Cancelled);
    assert_eq!((report.requeued, report.abandoned, report.cancelled), (2, 1, 1));
    assert_eq!(report.workers_expired, 1);
}

async fn work_on_a_live_worker_gets_its_message_again(backend: Backend) {
    let world = World::new(backend).await;
    let assigned = world.execution(&[Scheduling, Scheduled], json!({})).await;
    let canceling = world.execution(&[Scheduling, Scheduled, Running, Canceling], json!({})).await;
    let mut inbox = attune_bus::Bus::consume(world.bus.as_ref(), &Queue::Worker(world.worker)).await.unwrap();

    let report = world.pass(false, true).await;
    assert_eq!(report.hints_resent, 2);
    // Deliveries are held until the end: one dropped unsettled would be delivered again.
    let mut deliveries = Vec::new();
    for _ in 0..2 {
        deliveries.push(inbox.next().await.unwrap());
    }
    let heard: Vec<Message> = deliveries.iter().map(|d| d.message.clone()).collect();
    assert!(heard.contains(&Message::ExecutionScheduled { execution: assigned }), "{heard:?}");
    assert!(heard.contains(&Message::CancelRequested { execution: canceling }), "{heard:?}");
    assert_eq!(world.status(assigned).await, Scheduled, "a live worker keeps its work");
}

async fn fresh_work_is_left_alone(backend: Backend) {
    let world = World::new(backend).await;
    let ids = [
        world.execution(&[], json!({})).await,
        world.execution(&[Scheduling], json!({})).await,
        world.execution(&[Scheduling, Scheduled, Running], json!({})).await,
    ];
    let report = world.pass(false, false).await;
    assert_eq!(report, attune_executor::ReconcileReport::default());
    for (id, status) in ids.into_iter().zip([Requested, Scheduling, Running]) {
        assert_eq!(world.status(id).await, status);
    }
}

async fn work_sent_again_goes_on_in_the_executions_trace(backend: Backend) {
    use attune_telemetry::trace::{self, TraceParent, TraceSettings};
    use tracing_subscriber::layer::SubscriberExt;

    let settings = TraceSettings { service: "attune-test".into(), otlp_endpoint: None, sample_ratio: 1.0 };
    let (layer, _tracing) = trace::layer(&settings).unwrap();
    let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let world = World::new(backend).await;
    let requested = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    let new = NewExecution {
        trace_parent: Some(requested.to_string()),
        ..NewExecution::of("core.echo", json!({}), json!({}))
    };
    let lost = world.store.store.create_execution(&new).await.unwrap().id;

    world.pass(false, true).await;
    let mut consumer = world.bus.consume(&Queue::Executor).await.unwrap();
    let delivery = consumer.next().await.unwrap();
    assert_eq!(delivery.message, Message::ExecutionRequested { execution: lost });
    let sent_in = delivery.trace.clone().expect("sent in a traced span");
    assert_eq!(sent_in.trace_id(), requested.trace_id(), "the execution's trace");
    assert_ne!(sent_in.span_id(), requested.span_id(), "from the reconciler's own span");
    delivery.ack().await;
}
