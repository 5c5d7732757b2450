//! Packs: the unit of distribution, and the bundle a pack loads as.

use serde::{Deserialize, Serialize};

use crate::action::NewAction;
use crate::identity::NewPermissionSet;
use crate::policy::NewPolicy;
use crate::rule::NewRule;
use crate::trigger::{NewSensor, NewTrigger};
use crate::workflow::NewWorkflowDefinition;
use crate::{Id, Json, Timestamp};

/// A registered pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Pack {
    /// Unique id.
    pub id: Id,
    /// Unique ref (`core`, `examples-wasm`).
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What the pack is for.
    pub description: Option<String>,
    /// Semantic version.
    pub version: String,
    /// Who wrote it.
    pub author: Option<String>,
    /// JSON schema of the pack's configuration.
    pub config_schema: Json,
    /// The pack's configuration values.
    pub config: Json,
    /// Runtimes the pack needs (e.g. `python`).
    #[sqlx(json)]
    pub runtime_deps: Vec<String>,
    /// Free-form tags.
    #[sqlx(json)]
    pub tags: Vec<String>,
    /// Shipped with Attune (the core pack).
    pub is_standard: bool,
    /// Directory the pack was registered from (for an installed archive: where this
    /// server unpacked it; other processes unpack it by [`Pack::archive_digest`]).
    pub path: Option<String>,
    /// The archive the pack was installed from (`sha256:<hex>`), when it was.
    #[serde(default)]
    pub archive_digest: Option<String>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// One installed version of a pack, as kept in the store (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PackVersion {
    /// Unique id.
    pub id: Id,
    /// The pack.
    pub pack_ref: String,
    /// Its version.
    pub version: String,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
    /// The archive's size in bytes.
    pub size: i64,
    /// The archive's manifest: every file with its SHA-256.
    pub manifest: Json,
    /// Who installed it.
    pub installed_by: Option<String>,
    /// When it was first installed.
    pub created: Timestamp,
}

/// A pack archive to keep with a registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPackArchive {
    /// `sha256:<hex>` of [`NewPackArchive::content`].
    pub digest: String,
    /// The manifest.
    pub manifest: Json,
    /// The `.tar.gz` bytes.
    pub content: Vec<u8>,
    /// Who installed it.
    pub installed_by: Option<String>,
}

/// The pack row of a registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPack {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What the pack is for.
    pub description: Option<String>,
    /// Semantic version.
    pub version: String,
    /// Who wrote it.
    pub author: Option<String>,
    /// JSON schema of the pack's configuration.
    pub config_schema: Json,
    /// The pack's configuration values.
    pub config: Json,
    /// Runtimes the pack needs.
    pub runtime_deps: Vec<String>,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Shipped with Attune.
    pub is_standard: bool,
    /// Directory the pack is registered from.
    pub path: Option<String>,
}

/// Everything a pack declares, validated, ready to be stored in one transaction.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PackBundle {
    /// The pack itself.
    pub pack: Option<NewPack>,
    /// Its triggers.
    pub triggers: Vec<NewTrigger>,
    /// Its actions (including one per workflow, with `runner_type: workflow`).
    pub actions: Vec<NewAction>,
    /// Its sensors.
    pub sensors: Vec<NewSensor>,
    /// Its rules.
    pub rules: Vec<NewRule>,
    /// Its workflow graphs (each also listed as an action).
    pub workflows: Vec<NewWorkflowDefinition>,
    /// Its execution policies.
    pub policies: Vec<NewPolicy>,
    /// Its permission sets.
    pub permission_sets: Vec<NewPermissionSet>,
    /// The archive it comes from, kept as a version of the pack; none for a pack
    /// registered from a directory.
    pub archive: Option<NewPackArchive>,
}

/// What a registration changed, by component kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegistrationSummary {
    /// The pack's id.
    pub pack_id: Id,
    /// Components created.
    pub created: u32,
    /// Components updated in place.
    pub updated: u32,
    /// Components no longer declared, deleted.
    pub deleted: u32,
}
