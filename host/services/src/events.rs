//! Events: recorded (and broadcast to live views), then announced to the rules engine.

use attune_bus::{Bus, Message, Queue};
use attune_domain::event::{Event, NewEvent};
use attune_store::{Store, StoreResult};

use crate::executions::publish;

/// Records an event and tells the rules engine. A lost announcement is re-sent by the
/// reconciler: the event stays unprocessed in the store until its rules were evaluated.
pub async fn emit(store: &dyn Store, bus: &dyn Bus, event: &NewEvent) -> StoreResult<Event> {
    let event = crate::notify::create_event(store, bus, event).await?;
    publish(bus, &Queue::Events, Message::EventCreated { event: event.id }).await;
    Ok(event)
}
