//! Events (a trigger fired) and enforcements (a rule matched an event).

use serde::{Deserialize, Serialize};

use crate::status::{EnforcementCondition, EnforcementStatus};
use crate::{Id, Json, Timestamp};

/// One firing of a trigger. History: survives deletion of its trigger and sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Event {
    /// Unique id.
    pub id: Id,
    /// The trigger (none once deleted).
    pub trigger: Option<Id>,
    /// The trigger's ref, kept for history.
    pub trigger_ref: String,
    /// Snapshot of the trigger/sensor configuration that produced it.
    pub config: Json,
    /// The event's data.
    pub payload: Json,
    /// The sensor that produced it (none for webhooks, or once deleted).
    pub source: Option<Id>,
    /// The source's ref, kept for history.
    pub source_ref: Option<String>,
    /// When its rules were evaluated (none until then).
    pub processed: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The trigger's ref (its id is looked up).
    pub trigger_ref: String,
    /// Configuration snapshot.
    pub config: Json,
    /// The event's data.
    pub payload: Json,
    /// The producing sensor's ref, if any.
    pub source_ref: Option<String>,
}

/// One rule's handling of one event. History: survives deletion of the rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enforcement {
    /// Unique id.
    pub id: Id,
    /// The rule (none once deleted).
    pub rule: Option<Id>,
    /// The rule's ref, kept for history.
    pub rule_ref: String,
    /// The trigger's ref.
    pub trigger_ref: String,
    /// The event (none once deleted).
    pub event: Option<Id>,
    /// Snapshot of the rule as it was evaluated.
    pub config: Json,
    /// What happened.
    pub status: EnforcementStatus,
    /// The event payload the rule saw.
    pub payload: Json,
    /// How the criteria were combined.
    pub condition: EnforcementCondition,
    /// The criteria evaluated.
    pub criteria: Json,
    /// Why no execution was created (template or validation failure), if so.
    pub reason: Option<String>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An enforcement to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEnforcement {
    /// The rule's ref (its id is looked up).
    pub rule_ref: String,
    /// The trigger's ref.
    pub trigger_ref: String,
    /// The event's id.
    pub event: Option<Id>,
    /// Rule snapshot.
    pub config: Json,
    /// Initial status.
    pub status: EnforcementStatus,
    /// The event payload.
    pub payload: Json,
    /// How criteria combine.
    pub condition: EnforcementCondition,
    /// The criteria.
    pub criteria: Json,
    /// Failure reason, if any.
    pub reason: Option<String>,
}
