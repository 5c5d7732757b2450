//! Policies and inquiries at the executor: admission in turn, the queue moving on when an
//! execution ends (or, when that was missed, at reconciliation), retries with backoff made
//! once, and inquiry actions that wait `pending` until answered or timed out — time moved
//! by hand. The one wait is a rate limit's one-second window, which the store keeps in real
//! time.

mod support;

use std::time::Duration;

use attune_bus::{Bus, Queue};
use attune_domain::Id;
use attune_domain::failure::FailureKind;
use attune_domain::status::ExecutionStatus::*;
use attune_domain::status::{InquiryStatus, PolicyMethod, PolicyType};
use attune_executor::faults::FaultPoint;
use attune_executor::scheduler::Placement;
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_test_support::{Backend, backend_tests};
use serde_json::json;
use support::World;

backend_tests!(
    a_concurrency_policy_queues_in_arrival_order_and_an_end_admits_the_next,
    a_cancel_policy_ends_the_excess,
    a_rate_limit_wakes_the_queue_when_its_window_has_room,
    a_missed_end_is_made_good_by_reconciliation,
    a_crash_after_admission_keeps_the_slot,
    a_failed_attempt_is_retried_with_backoff_once,
    a_retry_whose_end_was_missed_is_made_at_reconciliation,
    an_inquiry_action_waits_pending_without_a_worker,
    an_unanswered_inquiry_times_out_at_reconciliation,
);

/// What the policy tests add to the world.
impl World {
    fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle::new(self.store.store.as_ref(), self.bus.as_ref())
    }

    async fn echo(&self) -> Id {
        self.requested().await
    }

    /// Runs a scheduled execution to its end on the world's worker.
    async fn run_to(&self, id: Id, ending: Ending) {
        self.lifecycle().start(id, self.worker).await.unwrap().unwrap();
        self.lifecycle().finish(id, &[Running], ending).await.unwrap().unwrap();
    }

    fn completed() -> Ending {
        Ending { status: Completed, result: json!({"ok": true}), metering: None }
    }
}

async fn a_concurrency_policy_queues_in_arrival_order_and_an_end_admits_the_next(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::Concurrency, Some(PolicyMethod::Enqueue), 1, json!({})).await;
    let ids = [world.echo().await, world.echo().await, world.echo().await];
    let scheduler = world.scheduler();
    assert_eq!(scheduler.schedule(ids[0]).await.unwrap(), Placement::Assigned(world.worker));
    assert_eq!(scheduler.schedule(ids[1]).await.unwrap(), Placement::Queued);
    assert_eq!(scheduler.schedule(ids[2]).await.unwrap(), Placement::Queued);
    assert_eq!((world.status(ids[1]).await, world.status(ids[2]).await), (Queued, Queued));

    world.run_to(ids[0], World::completed()).await;
    scheduler.finished(ids[0], Completed, None).await.unwrap();
    assert_eq!(world.status(ids[1]).await, Scheduled, "the head of the queue runs next");
    assert_eq!(world.status(ids[2]).await, Queued, "one slot, one admission");

    let queue = world.store.store.action_queue("core.echo").await.unwrap();
    assert_eq!((queue.running, queue.depth), (1, 1));
    assert_eq!(queue.waiting.iter().map(|w| (w.execution, w.position)).collect::<Vec<_>>(), [(ids[2], 1)]);
}

async fn a_cancel_policy_ends_the_excess(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::Concurrency, Some(PolicyMethod::Cancel), 1, json!({})).await;
    let (first, second) = (world.echo().await, world.echo().await);
    let scheduler = world.scheduler();
    assert_eq!(scheduler.schedule(first).await.unwrap(), Placement::Assigned(world.worker));
    assert_eq!(scheduler.schedule(second).await.unwrap(), Placement::Stopped);
    let refused = world.store.store.get_execution(second).await.unwrap();
    assert_eq!(refused.status, Cancelled);
    let message = refused.result.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("core.echo_concurrency"), "{message}");
}

async fn a_rate_limit_wakes_the_queue_when_its_window_has_room(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::RateLimit, Some(PolicyMethod::Enqueue), 1, json!({"window_s": 1})).await;
    let (first, second) = (world.echo().await, world.echo().await);
    let scheduler = world.scheduler();
    assert_eq!(scheduler.schedule(first).await.unwrap(), Placement::Assigned(world.worker));
    // The window is full even once the first has ended.
    world.run_to(first, World::completed()).await;
    scheduler.finished(first, Completed, None).await.unwrap();
    assert_eq!(scheduler.schedule(second).await.unwrap(), Placement::Queued);

    // The store's window is real time: the scheduler asks to be woken when it has room.
    let mut executor_queue = world.bus.consume(&Queue::Executor).await.unwrap();
    let woken = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let delivery = executor_queue.next().await.unwrap();
            if delivery.message == (attune_bus::Message::ExecutionRequested { execution: second }) {
                return;
            }
        }
    });
    woken.await.expect("woken within the window's length");
    assert_eq!(scheduler.schedule(second).await.unwrap(), Placement::Assigned(world.worker));
}

async fn a_missed_end_is_made_good_by_reconciliation(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::Concurrency, Some(PolicyMethod::Enqueue), 1, json!({})).await;
    let (first, second) = (world.echo().await, world.echo().await);
    let scheduler = world.scheduler();
    scheduler.schedule(first).await.unwrap();
    assert_eq!(scheduler.schedule(second).await.unwrap(), Placement::Queued);
    // It ends, and no executor hears of it.
    world.run_to(first, World::completed()).await;

    let before = world.bus.depth(&Queue::Executor);
    world.reconciler().pass(false).await.unwrap();
    assert!(world.bus.depth(&Queue::Executor) > before, "the head of the queue is offered again");
    assert_eq!(scheduler.schedule(second).await.unwrap(), Placement::Assigned(world.worker));
}

async fn a_crash_after_admission_keeps_the_slot(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::Concurrency, Some(PolicyMethod::Enqueue), 1, json!({})).await;
    let (first, second) = (world.echo().await, world.echo().await);
    world.faults.arm(FaultPoint::AfterAdmit);
    assert_eq!(world.scheduler().schedule(first).await.unwrap(), Placement::Crashed);
    assert_eq!(world.status(first).await, Scheduling);
    assert_eq!(world.scheduler().schedule(second).await.unwrap(), Placement::Queued, "the crashed one holds the slot");

    world.clock.advance(Duration::from_secs(16));
    world.reconciler().pass(false).await.unwrap();
    assert_eq!(world.status(first).await, Requested, "released by reconciliation");
    assert_eq!(world.scheduler().schedule(first).await.unwrap(), Placement::Assigned(world.worker));
    assert_eq!(world.status(second).await, Queued);
}

async fn a_failed_attempt_is_retried_with_backoff_once(backend: Backend) {
    let world = World::new(backend).await;
    let settings = json!({"delay_s": 10, "on": ["failed"], "backoff": "exponential", "max_delay_s": 15});
    world.policy(PolicyType::Retry, None, 2, settings).await;
    let scheduler = world.scheduler();
    let mut attempt = world.echo().await;
    let mut delays = Vec::new();
    for number in 1..=3 {
        world.lifecycle().resume(attempt).await.unwrap();
        assert!(matches!(scheduler.schedule(attempt).await.unwrap(), Placement::Assigned(_)), "attempt {number}");
        world.run_to(attempt, Ending::failure(FailureKind::NonzeroExit, "exit 1")).await;
        // Heard twice (a redelivered hint): still one retry.
        scheduler.finished(attempt, Failed, None).await.unwrap();
        scheduler.finished(attempt, Failed, None).await.unwrap();
        let all = attune_domain::execution::ExecutionFilter::default();
        let listed = world.store.store.list_executions(&all, attune_domain::page::PageRequest::new(1, 50)).await;
        let retries: Vec<_> = listed.unwrap().items.into_iter().filter(|e| e.retry_of == Some(attempt)).collect();
        if number == 3 {
            assert!(retries.is_empty(), "two retries, then no more");
            break;
        }
        assert_eq!(retries.len(), 1, "attempt {number} is retried once");
        let retry = &retries[0];
        assert_eq!((retry.attempt, retry.status), (number + 1, Delayed));
        delays.push((retry.run_after.unwrap() - retry.created).num_seconds());
        attempt = retry.id;
    }
    assert!(matches!(delays.as_slice(), [9..=10, 14..=15]), "exponential, capped at 15 s: {delays:?}");
}

async fn a_retry_whose_end_was_missed_is_made_at_reconciliation(backend: Backend) {
    let world = World::new(backend).await;
    world.policy(PolicyType::Retry, None, 1, json!({"delay_s": 0, "on": ["failed", "timeout"]})).await;
    let attempt = world.echo().await;
    world.scheduler().schedule(attempt).await.unwrap();
    world.run_to(attempt, Ending::failure(FailureKind::Timeout, "too slow")).await;

    world.reconciler().pass(false).await.unwrap();
    let retried = |report: attune_executor::ReconcileReport| report.retried;
    assert_eq!(retried(world.reconciler().pass(false).await.unwrap()), 0, "recent ends are the executors' to handle");
    world.clock.advance(Duration::from_secs(16));
    assert_eq!(retried(world.reconciler().pass(false).await.unwrap()), 1);
    assert_eq!(retried(world.reconciler().pass(false).await.unwrap()), 0, "made once");
}

async fn an_inquiry_action_waits_pending_without_a_worker(backend: Backend) {
    let world = World::new(backend).await;
    let parameters = json!({"prompt": "Deploy?", "assigned_to": {"identities": ["ada"]}, "timeout_s": 60});
    let id = world.requested_of("core.ask", parameters).await;
    assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Asked);
    let execution = world.store.store.get_execution(id).await.unwrap();
    assert_eq!((execution.status, execution.worker), (Pending, None));
    let inquiry = world.store.store.inquiry_of_execution(id).await.unwrap().unwrap();
    assert_eq!((inquiry.prompt.as_str(), inquiry.status), ("Deploy?", InquiryStatus::Pending));
    assert_eq!((inquiry.assignees.identities.clone(), inquiry.pack_ref.as_deref()), (vec!["ada".into()], Some("core")));

    let bad = world.requested_of("core.ask", json!({"prompt": "x", "timeout_s": 0})).await;
    world.scheduler().schedule(bad).await.unwrap();
    assert_eq!(world.status(bad).await, Failed, "a question that cannot be asked fails");
}

async fn an_unanswered_inquiry_times_out_at_reconciliation(backend: Backend) {
    let world = World::new(backend).await;
    let id = world.requested_of("core.ask", json!({"prompt": "Deploy?", "timeout_s": 30})).await;
    world.scheduler().schedule(id).await.unwrap();
    world.reconciler().pass(false).await.unwrap();
    assert_eq!(world.status(id).await, Pending, "not yet");

    // A restart later (a new reconciler), past the timeout.
    world.clock.advance(Duration::from_secs(31));
    let report = world.reconciler().pass(true).await.unwrap();
    assert_eq!(report.settled, 1);
    let execution = world.store.store.get_execution(id).await.unwrap();
    assert_eq!(execution.status, Timeout);
    let inquiry = world.store.store.inquiry_of_execution(id).await.unwrap().unwrap();
    assert_eq!(inquiry.status, InquiryStatus::Timeout);
}
