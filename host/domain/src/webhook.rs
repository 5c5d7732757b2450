//! Webhooks: named endpoints that turn HTTP posts into `core.webhook` events.

use serde::{Deserialize, Serialize};

use crate::{Id, Timestamp};

/// A registered webhook. Posting to `/api/v1/webhooks/<name>` needs an API token, or an
/// HMAC-SHA256 signature made with the webhook's secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Webhook {
    /// Unique id.
    pub id: Id,
    /// Unique name, the last segment of its URL.
    pub name: String,
    /// What posts to it.
    pub description: Option<String>,
    /// The HMAC secret, encrypted; never serialized.
    #[serde(skip)]
    pub secret: Option<String>,
    /// Disabled webhooks refuse posts.
    pub enabled: bool,
    /// When set, signed posts must carry a signed timestamp no further than this many
    /// seconds from now, and each signature is accepted once.
    pub replay_window_s: Option<i64>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

impl Webhook {
    /// Whether posts may authenticate with a signature.
    pub fn has_secret(&self) -> bool {
        self.secret.is_some()
    }
}

/// A webhook to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWebhook {
    /// Unique name.
    pub name: String,
    /// What posts to it.
    pub description: Option<String>,
    /// The HMAC secret, already encrypted.
    #[serde(skip)]
    pub secret: Option<String>,
    /// Whether it accepts posts.
    pub enabled: bool,
    /// See [`Webhook::replay_window_s`].
    pub replay_window_s: Option<i64>,
}
