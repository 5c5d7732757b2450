//! Every state change a live view shows goes through here: the store write, then a
//! [`Notice`] broadcast on the bus once the write succeeded (and the change counted in the
//! metrics, [`crate::observe`]).
//!
//! Callers use these functions instead of the store's, so that no caller can record an
//! execution, an event or an enforcement without announcing it. Status changes of
//! executions go through [`crate::lifecycle`], which announces them the same way; the
//! executor, worker and services crates hold a `clippy.toml` that forbids calling the
//! store's `transition_execution` directly.
//!
//! A notice is news, not work: a broadcast that fails is logged and the change stands.

use attune_bus::{Bus, Notice};
use attune_domain::Id;
use attune_domain::event::{Enforcement, Event, NewEnforcement, NewEvent};
use attune_domain::execution::{Execution, NewExecution};
use attune_domain::status::EnforcementStatus;
use attune_store::{Store, StoreResult};

/// Records an execution (`requested`) and announces it.
pub async fn create_execution(store: &dyn Store, bus: &dyn Bus, execution: &NewExecution) -> StoreResult<Execution> {
    let execution = store.create_execution(execution).await?;
    crate::observe::execution(&execution);
    broadcast(bus, &Notice::execution_status(&execution)).await;
    Ok(execution)
}

/// Records an event and announces it.
pub async fn create_event(store: &dyn Store, bus: &dyn Bus, event: &NewEvent) -> StoreResult<Event> {
    let event = store.create_event(event).await?;
    attune_telemetry::record::event_created(&event.trigger_ref);
    broadcast(bus, &Notice::event_created(&event)).await;
    Ok(event)
}

/// Records an enforcement and announces it.
pub async fn create_enforcement(
    store: &dyn Store,
    bus: &dyn Bus,
    enforcement: &NewEnforcement,
) -> StoreResult<Enforcement> {
    let enforcement = store.create_enforcement(enforcement).await?;
    attune_telemetry::record::enforcement_created(&enforcement.rule_ref);
    broadcast(bus, &Notice::enforcement_status(&enforcement)).await;
    Ok(enforcement)
}

/// Sets an enforcement's status (and the reason it produced no execution, if any) and
/// announces it.
pub async fn update_enforcement(
    store: &dyn Store,
    bus: &dyn Bus,
    id: Id,
    status: EnforcementStatus,
    reason: Option<&str>,
) -> StoreResult<Enforcement> {
    let enforcement = store.update_enforcement(id, status, reason).await?;
    broadcast(bus, &Notice::enforcement_status(&enforcement)).await;
    Ok(enforcement)
}

/// Broadcasts `notice`; a failure is logged, never returned. For changes that have no
/// helper above (output lines the worker stored; inquiries, once they are created).
pub async fn broadcast(bus: &dyn Bus, notice: &Notice) {
    if let Err(error) = bus.broadcast(notice).await {
        tracing::warn!(%error, notice = notice.entity_type(), id = notice.entity_id(), "notice not broadcast");
    }
}

#[cfg(test)]
mod tests {

    use async_trait::async_trait;
    use attune_bus::{BusError, Consumer, MemoryBus, Message, Queue, Received, Subscription};
    use attune_domain::status::{EnforcementCondition, ExecutionStatus};
    use serde_json::json;

    use super::*;
    use crate::lifecycle::{Ending, Lifecycle};
    use crate::test_support::{new_execution, store};

    /// A bus that accepts work but cannot broadcast.
    struct Deaf;

    #[async_trait]
    impl Bus for Deaf {
        async fn publish(&self, _: &Queue, _: &Message) -> Result<(), BusError> {
            Ok(())
        }
        async fn consume(&self, _: &Queue) -> Result<Consumer, BusError> {
            Err(BusError::Closed)
        }
        async fn broadcast(&self, _: &Notice) -> Result<(), BusError> {
            Err(BusError::Unavailable("no broker".into()))
        }
        async fn subscribe(&self) -> Result<Subscription, BusError> {
            Err(BusError::Closed)
        }
        async fn ready(&self) -> Result<(), BusError> {
            Ok(())
        }
        async fn depth(&self, _: &Queue) -> Result<u64, BusError> {
            Ok(0)
        }
    }

    async fn heard(subscription: &mut Subscription) -> Notice {
        match subscription.next().await {
            Some(Received::Notice(notice)) => notice,
            other => panic!("expected a notice, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn changes_are_announced_once_stored_and_only_then() {
        let (_dir, store) = store().await;
        let bus = MemoryBus::new();
        let mut subscription = bus.subscribe().await.unwrap();
        let execution = create_execution(store.as_ref(), &bus, &new_execution()).await.unwrap();
        let status = |status| Notice::ExecutionStatus {
            execution: execution.id,
            action_ref: "core.echo".into(),
            status,
            parent: None,
        };
        assert_eq!(heard(&mut subscription).await, status(ExecutionStatus::Requested));

        use ExecutionStatus::*;
        let lifecycle = Lifecycle::new(store.as_ref(), &bus);
        let ending = Ending { status: Completed, result: json!({}), metering: None };
        let refused = lifecycle.finish(execution.id, &[Running], ending).await;
        assert!(refused.unwrap().is_none(), "not running: nothing moves");
        lifecycle.begin_scheduling(execution.id).await.unwrap();
        // The refused transition said nothing: the next notice is the one that happened.
        assert_eq!(heard(&mut subscription).await, status(Scheduling));

        let event = create_event(
            store.as_ref(),
            &bus,
            &NewEvent { trigger_ref: "core.webhook".into(), config: json!({}), payload: json!({}), source_ref: None },
        )
        .await
        .unwrap();
        assert_eq!(heard(&mut subscription).await, Notice::event_created(&event));
    }

    #[tokio::test]
    async fn a_failing_broadcast_never_fails_the_change() {
        let (_dir, store) = store().await;
        let execution = create_execution(store.as_ref(), &Deaf, &new_execution()).await.unwrap();
        let moved = Lifecycle::new(store.as_ref(), &Deaf).begin_scheduling(execution.id).await.unwrap();
        assert_eq!(moved.map(|e| e.status), Some(ExecutionStatus::Scheduling));
        assert_eq!(store.get_execution(execution.id).await.unwrap().status, ExecutionStatus::Scheduling);

        let enforcement = NewEnforcement {
            rule_ref: "core.rule".into(),
            trigger_ref: "core.webhook".into(),
            event: None,
            config: json!({}),
            status: EnforcementStatus::Created,
            payload: json!({}),
            condition: EnforcementCondition::All,
            criteria: json!({}),
            reason: None,
        };
        let created = create_enforcement(store.as_ref(), &Deaf, &enforcement).await.unwrap();
        let processed =
            update_enforcement(store.as_ref(), &Deaf, created.id, EnforcementStatus::Processed, None).await.unwrap();
        assert_eq!(processed.status, EnforcementStatus::Processed);
    }
}
