//! The executor's loops: scheduling (the executor queue), the rules engine (the events
//! queue), and reconciliation on a timer.

use std::future::Future;

use attune_bus::{BusError, Consumer, Delivery, Message, Queue};
use attune_services::Platform;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::config::ExecutorConfig;
use crate::reconciler::Reconciler;
use crate::scheduler::Scheduler;

/// Runs the executor role until `shutdown` is cancelled. `owns_everything` is true in the
/// embedded deployment, where this is the only executor and its first reconciliation may
/// re-drive every unfinished execution and event at once.
pub async fn run(
    platform: Platform,
    config: ExecutorConfig,
    owns_everything: bool,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let scheduler = Scheduler::new(&platform, config);
    let reconciler = Reconciler::new(&platform, config);
    let executions = platform.bus.consume(&Queue::Executor).await?;
    let events = platform.bus.consume(&Queue::Events).await?;

    if let Err(error) = reconciler.pass(owns_everything).await {
        tracing::error!(%error, "start-up reconciliation failed; retrying on the next pass");
    }
    let (scheduler, platform) = (&scheduler, &platform);
    let scheduling = consume(executions, shutdown.clone(), |message| async move {
        match message {
            Message::ExecutionRequested { execution } => {
                scheduler.schedule(execution).await.map(|_| true).map_err(|e| e.to_string())
            }
            // Policies and workflows react to finished executions (queues move on, retries are
            // made, parents step).
            Message::ExecutionFinished { execution, status, parent } => {
                scheduler.finished(execution, status, parent).await.map(|_| true).map_err(|e| e.to_string())
            }
            _ => Ok(false),
        }
    });
    let rules = consume(events, shutdown.clone(), |message| async move {
        match message {
            Message::EventCreated { event } => attune_services::enforcement::process_event(platform, event)
                .await
                .map(|_| true)
                .map_err(|e| e.to_string()),
            _ => Ok(false),
        }
    });
    let reconciling = async {
        let mut ticker = tokio::time::interval(config.reconcile_every);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = ticker.tick() => {
                    if let Err(error) = reconciler.pass(false).await {
                        tracing::error!(%error, "reconciliation failed");
                    }
                }
            }
        }
    };
    tokio::try_join!(scheduling, rules, reconciling).map(|_| ())
}

/// Deliveries of one queue handled at once. Handling one is mostly waiting (conditional
/// updates in the store, a confirmed publish), so taking one at a time would bound the rate
/// by the inverse of that latency; every handler is safe to run beside the others (the store
/// decides each transition). The more wait side by side, the more of their writes share a
/// statement and a commit. Below the RabbitMQ prefetch, so the broker keeps it fed.
const IN_FLIGHT: usize = 64;

/// Handles the deliveries of one queue until shutdown, up to [`IN_FLIGHT`] at once; on
/// shutdown, those under way finish first. The handler returns `Ok(true)` when it handled
/// the message, `Ok(false)` when the message does not belong on this queue (dead-lettered),
/// and `Err` when it could not handle it now (requeued after a pause).
async fn consume<F, Fut>(mut consumer: Consumer, shutdown: CancellationToken, handle: F) -> Result<(), BusError>
where
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<bool, String>>,
{
    let mut under_way = FuturesUnordered::new();
    let outcome = loop {
        tokio::select! {
            _ = shutdown.cancelled() => break Ok(()),
            Some(()) = under_way.next(), if !under_way.is_empty() => {}
            delivery = consumer.next(), if under_way.len() < IN_FLIGHT => match delivery {
                Some(delivery) => under_way.push(settle(delivery, &handle)),
                None => break Err(BusError::Closed),
            },
        }
    };
    while under_way.next().await.is_some() {}
    outcome
}

/// Handles one delivery and acknowledges, dead-letters or requeues it. The handling is a
/// span of the trace the message was published in.
async fn settle<F, Fut>(delivery: Delivery, handle: &F)
where
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<bool, String>>,
{
    let span = tracing::info_span!(
        "executor.message",
        "otel.name" = span_name(&delivery.message),
        trace_id = tracing::field::Empty,
    );
    attune_telemetry::trace::continue_trace(&span, delivery.trace.as_ref());
    async move {
        match handle(delivery.message.clone()).await {
            Ok(true) => delivery.ack().await,
            Ok(false) => {
                tracing::warn!(message = ?delivery.message, "message on the wrong queue");
                delivery.dead_letter().await;
            }
            Err(error) => {
                // The store is unreachable, most likely: keep the message for later.
                tracing::error!(%error, message = ?delivery.message, "cannot handle message; will retry");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                delivery.requeue().await;
            }
        }
    }
    .instrument(span)
    .await;
}

/// What handling `message` is called in traces.
fn span_name(message: &Message) -> &'static str {
    match message {
        Message::ExecutionRequested { .. } => "executor.schedule",
        Message::ExecutionFinished { .. } => "executor.finished",
        Message::EventCreated { .. } => "rules.evaluate_event",
        Message::ExecutionScheduled { .. } | Message::CancelRequested { .. } => "executor.unexpected",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use attune_bus::{Bus, MemoryBus};

    use super::*;

    #[tokio::test]
    async fn deliveries_are_handled_side_by_side_up_to_the_bound_and_all_settled() {
        let bus = MemoryBus::new();
        let total = IN_FLIGHT + 8;
        for execution in 0..total {
            bus.publish(&Queue::Executor, &Message::ExecutionRequested { execution: execution as i64 }).await.unwrap();
        }
        let consumer = bus.consume(&Queue::Executor).await.unwrap();
        let (active, most, handled) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let handled_all = Arc::new(tokio::sync::Notify::new());
        let done = handled_all.clone();
        let consuming = consume(consumer, shutdown, |_| {
            let (active, most, handled, done) = (&active, &most, &handled, &done);
            async move {
                let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                active.fetch_sub(1, Ordering::SeqCst);
                if handled.fetch_add(1, Ordering::SeqCst) + 1 == total {
                    done.notify_one();
                }
                Ok(true)
            }
        });
        let stopping = async {
            handled_all.notified().await;
            stop.cancel();
        };
        let (outcome, ()) = tokio::join!(consuming, stopping);
        outcome.unwrap();
        assert_eq!(handled.load(Ordering::SeqCst), total);
        assert_eq!(most.load(Ordering::SeqCst), IN_FLIGHT, "as many at once as allowed, no more");
    }
}
