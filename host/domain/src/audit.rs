//! The audit log: an append-only record of who changed what through the API, and of every
//! secret decrypted or refused. Entries never hold a secret value: definitions are recorded
//! as the API shows them (secrets masked or absent), keys without their values, request
//! bodies never.

use serde::{Deserialize, Serialize};

use crate::{Id, Json, Timestamp};

/// One recorded act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Unique id, rising in the order entries were recorded.
    pub id: Id,
    /// When it happened.
    pub at: Timestamp,
    /// The identity that acted (none for the platform itself, e.g. a worker decrypting an
    /// action's secrets).
    pub actor: Option<Id>,
    /// The actor's login, kept for history.
    pub actor_login: Option<String>,
    /// From where: the client's address for an API request, `worker <name>` for a worker.
    pub source: Option<String>,
    /// What was done: `METHOD /route/{template}` for an API request, `key.decrypt`,
    /// `secret.decrypt`, `secret.refused`.
    pub action: String,
    /// The kind of thing acted on (`rule`, `policy`, `key`, `execution`, ...).
    pub resource_type: String,
    /// Which one, when named (a ref, a login, an id, a key's scoped name).
    pub resource_ref: Option<String>,
    /// `ok`, `refused` (not allowed) or `failed` (allowed but not done).
    pub outcome: String,
    /// The HTTP status answered, for API requests.
    pub status: Option<i32>,
    /// The definition before the change, as the API shows it.
    pub before: Option<Json>,
    /// The definition after the change, as the API answered it.
    pub after: Option<Json>,
    /// Anything else worth knowing (the execution a secret was decrypted for).
    pub detail: Option<Json>,
}

/// An entry to append.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// See [`AuditEntry::actor`].
    pub actor: Option<Id>,
    /// See [`AuditEntry::actor_login`].
    pub actor_login: Option<String>,
    /// See [`AuditEntry::source`].
    pub source: Option<String>,
    /// See [`AuditEntry::action`].
    pub action: String,
    /// See [`AuditEntry::resource_type`].
    pub resource_type: String,
    /// See [`AuditEntry::resource_ref`].
    pub resource_ref: Option<String>,
    /// See [`AuditEntry::outcome`].
    pub outcome: String,
    /// See [`AuditEntry::status`].
    pub status: Option<i32>,
    /// See [`AuditEntry::before`].
    pub before: Option<Json>,
    /// See [`AuditEntry::after`].
    pub after: Option<Json>,
    /// See [`AuditEntry::detail`].
    pub detail: Option<Json>,
}
