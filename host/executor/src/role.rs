//! The executor's loops: scheduling (the executor queue), the rules engine (the events
//! queue), and reconciliation on a timer.

use std::future::Future;

use attune_bus::{BusError, Consumer, Delivery, Message, Queue};
use attune_services::Platform;
use tokio_util::sync::CancellationToken;

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
    let scheduler = Scheduler::new(platform.store.clone(), platform.bus.clone(), config);
    let reconciler = Reconciler::new(platform.store.clone(), platform.bus.clone(), config);
    let executions = platform.bus.consume(&Queue::Executor).await?;
    let events = platform.bus.consume(&Queue::Events).await?;

    if let Err(error) = reconciler.pass(owns_everything).await {
        tracing::error!(%error, "start-up reconciliation failed; retrying on the next pass");
    }
    let (scheduler, platform) = (&scheduler, &platform);
    let scheduling = consume(executions, shutdown.clone(), |message| async move {
        match message {
            Message::ExecutionRequested { execution } => scheduler.schedule(execution).await.map(|_| true).map_err(|e| e.to_string()),
            // Policies and workflows react to finished executions; nothing else does yet.
            Message::ExecutionFinished { .. } => Ok(true),
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

/// Handles the deliveries of one queue until shutdown. The handler returns `Ok(true)` when
/// it handled the message, `Ok(false)` when the message does not belong on this queue
/// (dead-lettered), and `Err` when it could not handle it now (requeued after a pause).
async fn consume<F, Fut>(mut consumer: Consumer, shutdown: CancellationToken, handle: F) -> Result<(), BusError>
where
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<bool, String>>,
{
    loop {
        let delivery: Delivery = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            delivery = consumer.next() => match delivery {
                Some(delivery) => delivery,
                None => return Err(BusError::Closed),
            },
        };
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
}
