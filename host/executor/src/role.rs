//! The executor's loop: consume the executor queue, reconcile on a timer.

use std::sync::Arc;

use attune_bus::{Bus, Message, Queue};
use attune_store::Store;
use tokio_util::sync::CancellationToken;

use crate::config::ExecutorConfig;
use crate::reconciler::Reconciler;
use crate::scheduler::Scheduler;

/// Runs the executor role until `shutdown` is cancelled. `owns_everything` is true in the
/// embedded deployment, where this is the only executor and its first reconciliation may
/// re-drive every unfinished execution at once.
pub async fn run(
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    config: ExecutorConfig,
    owns_everything: bool,
    shutdown: CancellationToken,
) -> Result<(), attune_bus::BusError> {
    let scheduler = Scheduler::new(store.clone(), bus.clone(), config);
    let reconciler = Reconciler::new(store, bus.clone(), config);
    let mut consumer = bus.consume(&Queue::Executor).await?;

    if let Err(error) = reconciler.pass(owns_everything).await {
        tracing::error!(%error, "start-up reconciliation failed; retrying on the next pass");
    }
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
            delivery = consumer.next() => {
                let Some(delivery) = delivery else { return Err(attune_bus::BusError::Closed) };
                let outcome = match &delivery.message {
                    Message::ExecutionRequested { execution } => scheduler.schedule(*execution).await.map(|_| ()),
                    // Policies and workflows react to finished executions; nothing else does yet.
                    Message::ExecutionFinished { .. } => Ok(()),
                    other => {
                        tracing::warn!(message = ?other, "unexpected message on the executor queue");
                        delivery.dead_letter().await;
                        continue;
                    }
                };
                match outcome {
                    Ok(()) => delivery.ack().await,
                    Err(error) => {
                        // The store is unreachable: keep the message for later.
                        tracing::error!(%error, "cannot handle message; will retry");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        delivery.requeue().await;
                    }
                }
            }
        }
    }
}
