//! Credentials other than passwords: issued refresh tokens and API keys.
//!
//! A refresh token is recorded when issued and can be used once: using it marks it used and
//! yields a new pair; presenting a used one again is taken as theft. An API key is shown to
//! its owner once; only its SHA-256 digest and a short prefix (to tell keys apart) are kept.

use serde::{Deserialize, Serialize};

use crate::{Id, Timestamp};

/// An issued refresh token, identified by its token id (`jti`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RefreshToken {
    /// Unique id.
    pub id: Id,
    /// The token's `jti` claim.
    pub jti: String,
    /// The identity it was issued to.
    pub identity: Id,
    /// When it stops being valid.
    pub expires_at: Timestamp,
    /// When it was exchanged for a new pair.
    pub used: Option<Timestamp>,
    /// When it was revoked (reuse detected, password changed, identity disabled).
    pub revoked: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A refresh token to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRefreshToken {
    /// The token's `jti` claim.
    pub jti: String,
    /// The identity it is issued to.
    pub identity: Id,
    /// When it stops being valid.
    pub expires_at: Timestamp,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// It was unused: it is now used, and a new pair may be issued.
    Consumed(RefreshToken),
    /// It had been used already: someone replays it.
    Reused(RefreshToken),
    /// It was revoked or has expired.
    Invalid,
    /// No such token was ever recorded.
    Unknown,
}

/// An API key of an identity (a service account, usually). The key itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiKey {
    /// Unique id.
    pub id: Id,
    /// The identity the key acts as.
    pub identity: Id,
    /// What the key is for (unique per identity).
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    /// Hex SHA-256 digest of the key. Never serialized.
    #[serde(skip)]
    pub key_hash: String,
    /// When the key stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When the key last authenticated a request (to the minute).
    pub last_used: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

impl ApiKey {
    /// True when the key has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|expires| expires <= now)
    }
}

/// An API key to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    /// The identity the key acts as.
    pub identity: Id,
    /// What the key is for.
    pub name: String,
    /// The first characters of the key.
    pub prefix: String,
    /// Hex SHA-256 digest of the key.
    #[serde(skip)]
    pub key_hash: String,
    /// When the key stops working, if ever.
    pub expires_at: Option<Timestamp>,
}
