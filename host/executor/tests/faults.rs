//! Crashes at named points of the scheduler, and time moved by hand: each leaves the
//! execution where a real crash would, and recovery finishes the work — no sleeps.

mod support;

use std::time::Duration;

use attune_bus::{Bus, Message, Notice, Queue, Received};
use attune_domain::execution::NewExecution;
use attune_domain::status::ExecutionStatus::*;
use attune_domain::status::{PolicyMethod, PolicyType};
use attune_executor::faults::FaultPoint;
use attune_executor::scheduler::Placement;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;
use support::World;

backend_tests!(
    a_crash_after_taking_an_execution_is_released_and_scheduled_again,
    a_crash_before_telling_the_worker_is_told_again,
    time_decides_staleness_and_worker_death,
    a_delayed_execution_is_requested_when_its_time_comes,
);

async fn a_crash_after_taking_an_execution_is_released_and_scheduled_again(backend: Backend) {
    let world = World::new(backend).await;
    // A policy governs the action, so the executor takes the execution before asking it.
    world.policy(PolicyType::Concurrency, Some(PolicyMethod::Enqueue), 100, json!({})).await;
    let id = world.requested().await;
    world.faults.arm(FaultPoint::AfterBeginScheduling);
    assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Crashed);
    assert_eq!(world.status(id).await, Scheduling, "the crash left it taken");

    // Not stale yet: a slow executor is not a dead one.
    assert_eq!(world.reconciler().pass(false).await.unwrap().requeued, 0);
    world.clock.advance(Duration::from_secs(16));
    let report = world.reconciler().pass(false).await.unwrap();
    assert_eq!(report.requeued, 1);
    assert_eq!(world.status(id).await, Requested);

    assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Assigned(world.worker));
    assert_eq!(world.status(id).await, Scheduled);
}

async fn a_crash_before_telling_the_worker_is_told_again(backend: Backend) {
    let world = World::new(backend).await;
    let id = world.requested().await;
    let mut inbox = world.bus.consume(&Queue::Worker(world.worker)).await.unwrap();
    let mut notices = world.bus.subscribe().await.unwrap();
    world.faults.arm(FaultPoint::AfterAssign);
    assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Crashed);
    assert_eq!(world.status(id).await, Scheduled);
    // No policy governs the action: placed in one write, never `scheduling`.
    let mut statuses = Vec::new();
    while let Ok(Some(Received::Notice(Notice::ExecutionStatus { status, .. }))) =
        tokio::time::timeout(Duration::from_millis(50), notices.next()).await
    {
        statuses.push(status);
    }
    assert_eq!(statuses, [Scheduled]);
    assert_eq!(world.bus.depth(&Queue::Worker(world.worker)), 0, "the worker was never told");

    world.clock.advance(Duration::from_secs(16));
    let report = world.reconciler().pass(false).await.unwrap();
    assert_eq!(report.hints_resent, 1);
    assert_eq!(inbox.next().await.unwrap().message, Message::ExecutionScheduled { execution: id });
}

async fn time_decides_staleness_and_worker_death(backend: Backend) {
    let world = World::new(backend).await;
    let id = world.requested().await;
    assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Assigned(world.worker));

    // Within `dead_after` the worker is alive and keeps its work.
    world.clock.advance(Duration::from_secs(20));
    let report = world.reconciler().pass(false).await.unwrap();
    assert_eq!((report.workers_expired, report.requeued), (0, 0));
    assert_eq!(world.status(id).await, Scheduled);

    // Past it, with no heartbeat since, the worker is gone and its work goes back.
    world.clock.advance(Duration::from_secs(15));
    let report = world.reconciler().pass(false).await.unwrap();
    assert_eq!((report.workers_expired, report.requeued), (1, 1));
    assert_eq!(world.status(id).await, Requested);
}

async fn a_delayed_execution_is_requested_when_its_time_comes(backend: Backend) {
    let world = World::new(backend).await;
    let config = serde_json::to_value(world.store.store.get_action("core.echo").await.unwrap()).unwrap();
    let delayed = NewExecution {
        run_after: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(60)),
        ..NewExecution::of("core.echo", config, json!({"message": "hi"}))
    };
    let id = world.store.store.create_execution(&delayed).await.unwrap().id;
    let before = world.bus.depth(&Queue::Executor);

    world.reconciler().pass(false).await.unwrap();
    assert_eq!(world.status(id).await, Delayed, "not yet");
    world.clock.advance(Duration::from_secs(61));
    world.reconciler().pass(false).await.unwrap();
    assert_eq!(world.status(id).await, Requested);
    assert!(world.bus.depth(&Queue::Executor) > before, "the executors were told");
}
