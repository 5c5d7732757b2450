//! Notifications: a record of something that changed, for live subscribers.

use serde::{Deserialize, Serialize};

use crate::status::NotificationState;
use crate::{Id, Json, Timestamp};

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Notification {
    /// Unique id.
    pub id: Id,
    /// Channel subscribers filter on (usually the entity type).
    pub channel: String,
    /// Kind of entity that changed (`execution`, `inquiry`...).
    pub entity_type: String,
    /// The entity's id or ref.
    pub entity: String,
    /// What happened (`created`, `status_changed`, `output`...).
    pub activity: String,
    /// Delivery state.
    pub state: NotificationState,
    /// Details.
    pub content: Json,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewNotification {
    /// Channel.
    pub channel: String,
    /// Kind of entity.
    pub entity_type: String,
    /// Entity id or ref.
    pub entity: String,
    /// What happened.
    pub activity: String,
    /// Details.
    pub content: Json,
}
