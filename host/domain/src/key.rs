//! Datastore keys, scoped to an owner.
//!
//! A key is owned by the system, an identity, a pack, an action or a sensor. Exactly the
//! owner column matching `owner_type` is set (none for `system`); the store enforces it with
//! a check constraint. `(owner_type, owner, name)` is unique.

use serde::{Deserialize, Serialize};

use crate::status::KeyOwnerType;
use crate::{Id, Timestamp};

/// A stored key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Key {
    /// Unique id.
    pub id: Id,
    /// Unique ref: `name` for system keys, `owner.name` otherwise.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Kind of owner.
    pub owner_type: KeyOwnerType,
    /// The owner's login or ref (empty for system keys).
    pub owner: String,
    /// Owning identity, when `owner_type` is identity.
    pub owner_identity: Option<Id>,
    /// Owning pack, when `owner_type` is pack.
    pub owner_pack: Option<Id>,
    /// Owning action, when `owner_type` is action.
    pub owner_action: Option<Id>,
    /// Owning sensor, when `owner_type` is sensor.
    pub owner_sensor: Option<Id>,
    /// The key's name within its owner.
    pub name: String,
    /// Whether `value` is AES-256-GCM ciphertext.
    pub encrypted: bool,
    /// Fingerprint of the encryption key used.
    pub encryption_key_hash: Option<String>,
    /// The value (ciphertext when encrypted). Never serialized as is.
    #[serde(skip)]
    pub value: String,
    /// When the key stops existing, if it has a TTL.
    pub expires_at: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// Who owns a key, with the owner's id where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "owner_type", rename_all = "snake_case")]
pub enum KeyOwner {
    /// The installation.
    System,
    /// An identity (id, login).
    Identity {
        /// Identity id.
        id: Id,
        /// Identity login.
        login: String,
    },
    /// A pack (id, ref).
    Pack {
        /// Pack id.
        id: Id,
        /// Pack ref.
        r#ref: String,
    },
    /// An action (id, ref).
    Action {
        /// Action id.
        id: Id,
        /// Action ref.
        r#ref: String,
    },
    /// A sensor (id, ref).
    Sensor {
        /// Sensor id.
        id: Id,
        /// Sensor ref.
        r#ref: String,
    },
}

impl KeyOwner {
    /// The kind of owner.
    pub fn owner_type(&self) -> KeyOwnerType {
        match self {
            KeyOwner::System => KeyOwnerType::System,
            KeyOwner::Identity { .. } => KeyOwnerType::Identity,
            KeyOwner::Pack { .. } => KeyOwnerType::Pack,
            KeyOwner::Action { .. } => KeyOwnerType::Action,
            KeyOwner::Sensor { .. } => KeyOwnerType::Sensor,
        }
    }

    /// The owner's login or ref; empty for the system.
    pub fn name(&self) -> &str {
        match self {
            KeyOwner::System => "",
            KeyOwner::Identity { login, .. } => login,
            KeyOwner::Pack { r#ref, .. } | KeyOwner::Action { r#ref, .. } | KeyOwner::Sensor { r#ref, .. } => r#ref,
        }
    }

    /// The ref of key `name` under this owner.
    pub fn key_ref(&self, name: &str) -> String {
        match self {
            KeyOwner::System => name.to_owned(),
            other => format!("{}.{}", other.name(), name),
        }
    }
}

/// A key to create or replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewKey {
    /// Its owner.
    pub owner: KeyOwner,
    /// Its name within the owner.
    pub name: String,
    /// The value (ciphertext when `encrypted`).
    pub value: String,
    /// Whether `value` is ciphertext.
    pub encrypted: bool,
    /// Fingerprint of the encryption key used.
    pub encryption_key_hash: Option<String>,
    /// Expiry, for keys with a TTL.
    pub expires_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_follow_the_owner() {
        assert_eq!(KeyOwner::System.key_ref("token"), "token");
        let pack = KeyOwner::Pack { id: 1, r#ref: "slack".into() };
        assert_eq!(pack.key_ref("token"), "slack.token");
        assert_eq!(pack.owner_type(), KeyOwnerType::Pack);
    }
}

/// A secret a pack's actions may receive beyond their pack's and their own keys: under the
/// name they ask for (`secrets: [name]`), the value of a system key or of another pack's
/// key. Made by an administrator, never by a pack's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SecretBinding {
    /// Unique id.
    pub id: Id,
    /// The pack whose actions receive it.
    pub pack: Id,
    /// That pack's ref.
    pub pack_ref: String,
    /// The name the actions ask for.
    pub name: String,
    /// The scope of the key given: `system` or `pack`.
    pub key_scope: KeyOwnerType,
    /// The key's pack, for a pack key (empty for a system key).
    pub key_owner: String,
    /// The key's name.
    pub key_name: String,
    /// The administrator who made it.
    pub created_by: Option<Id>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A binding to make (or replace, for the same pack and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecretBinding {
    /// The pack whose actions receive it.
    pub pack_ref: String,
    /// The name the actions ask for.
    pub name: String,
    /// `system` or `pack`.
    pub key_scope: KeyOwnerType,
    /// The key's pack, for a pack key.
    pub key_owner: String,
    /// The key's name.
    pub key_name: String,
    /// Who makes it.
    pub created_by: Option<Id>,
}
