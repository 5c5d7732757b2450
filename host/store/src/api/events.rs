//! Events and enforcements.

use async_trait::async_trait;
use attune_domain::event::{Enforcement, Event, NewEnforcement, NewEvent};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::EnforcementStatus;
use attune_domain::{Id, Timestamp};

use crate::StoreResult;

/// Narrows an event list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Only events of this trigger.
    pub trigger_ref: Option<String>,
    /// Only events from this sensor.
    pub source_ref: Option<String>,
    /// Created at or after.
    pub since: Option<Timestamp>,
}

/// Narrows an enforcement list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnforcementFilter {
    /// Only enforcements of this rule.
    pub rule_ref: Option<String>,
    /// Only enforcements of this event.
    pub event: Option<Id>,
    /// Only in this status.
    pub status: Option<EnforcementStatus>,
    /// Created at or after.
    pub since: Option<Timestamp>,
}

/// Events (trigger firings) and enforcements (rule matches).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Records an event; its trigger (and source sensor) ids are looked up by ref.
    async fn create_event(&self, event: &NewEvent) -> StoreResult<Event>;
    /// An event by id.
    async fn get_event(&self, id: Id) -> StoreResult<Event>;
    /// Events, newest first.
    async fn list_events(&self, filter: &EventFilter, page: PageRequest) -> StoreResult<Page<Event>>;
    /// Deletes an event (its enforcements keep their history).
    async fn delete_event(&self, id: Id) -> StoreResult<()>;
    /// Records that the event's rules were evaluated.
    async fn mark_event_processed(&self, id: Id) -> StoreResult<()>;
    /// Events created before `before` whose rules were never evaluated, oldest first.
    async fn list_unprocessed_events(&self, before: Timestamp, limit: i64) -> StoreResult<Vec<Event>>;

    /// Records an enforcement; its rule id is looked up by ref. A rule enforces an event at
    /// most once: a second enforcement of the same event by the same rule is a conflict.
    async fn create_enforcement(&self, enforcement: &NewEnforcement) -> StoreResult<Enforcement>;
    /// An enforcement by id.
    async fn get_enforcement(&self, id: Id) -> StoreResult<Enforcement>;
    /// Enforcements, newest first.
    async fn list_enforcements(&self, filter: &EnforcementFilter, page: PageRequest) -> StoreResult<Page<Enforcement>>;
    /// Sets an enforcement's status and failure reason.
    async fn update_enforcement(
        &self,
        id: Id,
        status: EnforcementStatus,
        reason: Option<&str>,
    ) -> StoreResult<Enforcement>;
}
