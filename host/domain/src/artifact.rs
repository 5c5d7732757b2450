//! Artifacts: files, tables, links and progress produced by executions.

use serde::{Deserialize, Serialize};

use crate::status::{ArtifactType, KeyOwnerType, RetentionPolicyType};
use crate::{Id, Json, Timestamp};

/// A stored artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Artifact {
    /// Unique id.
    pub id: Id,
    /// Reference or path.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Kind of owner.
    pub scope: KeyOwnerType,
    /// Owner's login or ref.
    pub owner: String,
    /// How it is displayed.
    pub artifact_type: ArtifactType,
    /// How long it is kept.
    pub retention_policy: RetentionPolicyType,
    /// The retention amount (versions, days, hours or minutes).
    pub retention_limit: i32,
    /// The execution that produced it.
    pub execution: Option<Id>,
    /// Its content or a description of where it is.
    pub data: Json,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An artifact to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArtifact {
    /// Reference or path.
    pub r#ref: String,
    /// Kind of owner.
    pub scope: KeyOwnerType,
    /// Owner's login or ref.
    pub owner: String,
    /// How it is displayed.
    pub artifact_type: ArtifactType,
    /// How long it is kept.
    pub retention_policy: RetentionPolicyType,
    /// Retention amount.
    pub retention_limit: i32,
    /// Producing execution.
    pub execution: Option<Id>,
    /// What it is: for a file its name, media type and size; for a link its URL.
    pub data: Json,
    /// A file's bytes, stored apart from the metadata and read only on download.
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
    /// Instead of `content`: the SHA-256 naming the file that holds the bytes in the
    /// configured artifact directory.
    #[serde(skip)]
    pub file: Option<String>,
}
