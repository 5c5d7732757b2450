//! Identities (users and service accounts), permission sets (roles), their grants and
//! assignments.

use serde::{Deserialize, Serialize};

use crate::status::{UnknownVariant, string_enum};
use crate::{Id, Json, Timestamp};

/// A user or service account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Identity {
    /// Unique id.
    pub id: Id,
    /// Unique login.
    pub login: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Argon2id PHC string; absent for accounts that only use API keys. Never serialized.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Custom attributes (email, groups...).
    pub attributes: Json,
    /// Disabled identities cannot authenticate.
    pub enabled: bool,
    /// Generation of its credentials: tokens issued under an earlier one are refused.
    #[serde(skip)]
    pub token_generation: i64,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An identity to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewIdentity {
    /// Unique login.
    pub login: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Argon2id PHC string.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Custom attributes.
    pub attributes: Json,
}

string_enum! {
    /// What a grant allows doing to a resource.
    Verb {
        /// Read.
        View = "view",
        /// Create.
        Create = "create",
        /// Change.
        Modify = "modify",
        /// Delete.
        Delete = "delete",
        /// Run (actions) or fire (webhooks).
        Execute = "execute",
        /// Answer inquiries.
        Respond = "respond",
    }
}

/// The resource types grants name (besides `*`).
pub const RESOURCE_TYPES: &[&str] = &[
    "pack",
    "action",
    "trigger",
    "sensor",
    "rule",
    "event",
    "enforcement",
    "execution",
    "inquiry",
    "key",
    "identity",
    "permission_set",
    "policy",
    "workflow",
    "webhook",
    "worker",
    "runtime",
    "artifact",
    "audit",
];

/// One permission: verbs on a resource type, optionally only within one pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Resource type (`action`, `execution`, `key`...) or `*` for every type.
    pub resource: String,
    /// Limit to components of this pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<String>,
    /// Allowed verbs.
    pub verbs: Vec<Verb>,
}

impl Grant {
    /// True when this grant allows `verb` on `resource` (in `pack`, when the resource
    /// belongs to one).
    pub fn allows(&self, resource: &str, pack: Option<&str>, verb: Verb) -> bool {
        (self.resource == "*" || self.resource == resource)
            && self.verbs.contains(&verb)
            && match (&self.pack, pack) {
                (None, _) => true,
                (Some(scope), Some(pack)) => scope == pack,
                (Some(_), None) => false,
            }
    }
}

/// A named set of grants (a role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PermissionSet {
    /// Unique id.
    pub id: Id,
    /// Unique ref (`pack.name`, or a bare name for built-in roles).
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack, for pack-defined roles.
    pub pack: Option<Id>,
    /// Owning pack's ref.
    pub pack_ref: Option<String>,
    /// Display name.
    pub label: String,
    /// What the role is for.
    pub description: Option<String>,
    /// The grants.
    #[sqlx(json)]
    pub grants: Vec<Grant>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A permission set to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPermissionSet {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What the role is for.
    pub description: Option<String>,
    /// The grants.
    pub grants: Vec<Grant>,
}

/// An identity holds a permission set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PermissionAssignment {
    /// Unique id.
    pub id: Id,
    /// The identity.
    pub identity: Id,
    /// The permission set.
    pub permission_set: Id,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

impl std::fmt::Display for Grant {
    /// The compact form `resource[@pack]:verb,verb`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.resource)?;
        if let Some(pack) = &self.pack {
            write!(f, "@{pack}")?;
        }
        let verbs: Vec<&str> = self.verbs.iter().map(|verb| verb.as_str()).collect();
        write!(f, ":{}", verbs.join(","))
    }
}

impl std::str::FromStr for Grant {
    type Err = UnknownVariant;
    /// Parses the compact form `resource[@pack]:verb,verb`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownVariant { kind: "Grant", value: text.to_owned() };
        let (target, verbs) = text.split_once(':').ok_or_else(bad)?;
        let (resource, pack) = match target.split_once('@') {
            Some((resource, pack)) => (resource, Some(pack.to_owned())),
            None => (target, None),
        };
        let verbs = verbs.split(',').map(str::parse).collect::<Result<Vec<Verb>, _>>()?;
        if resource.is_empty() || verbs.is_empty() {
            return Err(bad());
        }
        Ok(Grant { resource: resource.to_owned(), pack, verbs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_match_resource_pack_and_verb() {
        let any_action: Grant = "action:view,execute".parse().unwrap();
        assert!(any_action.allows("action", Some("core"), Verb::Execute));
        assert!(!any_action.allows("action", Some("core"), Verb::Delete));
        assert!(!any_action.allows("rule", Some("core"), Verb::View));

        let core_only: Grant = "*@core:view".parse().unwrap();
        assert!(core_only.allows("rule", Some("core"), Verb::View));
        assert!(!core_only.allows("rule", Some("other"), Verb::View));
        assert!(!core_only.allows("identity", None, Verb::View));

        assert!("action".parse::<Grant>().is_err());
        assert!("action:fly".parse::<Grant>().is_err());
    }
}
