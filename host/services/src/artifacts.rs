//! Artifacts of executions as the API shows them, and their bytes for download.
//!
//! An artifact is always reached through its execution (`/executions/{id}/artifacts/...`),
//! whose action's pack decides who may see it; one that belongs to another execution is
//! not found, so an id cannot lead across packs. A file's bytes come from the store, or from
//! the artifact directory ([`crate::artifact_files`]) when the worker kept them there.

use attune_domain::artifact::Artifact;
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::ArtifactType;
use attune_domain::{Id, Timestamp};
use attune_store::StoreError;
use serde::Serialize;

use crate::error::{ServiceError, ServiceResult};
use crate::platform::Platform;

/// One artifact, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ArtifactView {
    /// Unique id.
    pub id: Id,
    /// The execution that published it.
    pub execution: Id,
    /// Its name, unique within the execution.
    pub name: String,
    /// `file_text`, `file_datatable`, `file_image`, `file_binary` or `url`.
    #[schema(value_type = String)]
    pub artifact_type: ArtifactType,
    /// Files: the media type (e.g. `text/csv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Files: the size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// Links: where it points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Files: the path that downloads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<String>,
    /// When it was published.
    #[schema(value_type = String, format = DateTime)]
    pub created: Timestamp,
}

impl ArtifactView {
    fn of(artifact: Artifact, execution: Id) -> Self {
        let text = |key: &str| artifact.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let is_file = artifact.artifact_type != ArtifactType::Url;
        Self {
            id: artifact.id,
            execution,
            name: artifact.r#ref.clone(),
            artifact_type: artifact.artifact_type,
            media_type: text("media_type"),
            size_bytes: artifact.data.get("size_bytes").and_then(|v| v.as_u64()),
            url: text("url"),
            download: is_file.then(|| format!("/api/v1/executions/{execution}/artifacts/{}", artifact.id)),
            created: artifact.created,
        }
    }

    /// The media type a download is served with.
    pub fn content_type(&self) -> &str {
        self.media_type.as_deref().unwrap_or("application/octet-stream")
    }
}

/// The artifacts of execution `execution`, newest first.
pub async fn list(platform: &Platform, execution: Id, page: PageRequest) -> ServiceResult<Page<ArtifactView>> {
    platform.store.get_execution(execution).await?;
    let found = platform.store.list_artifacts(Some(execution), page).await?;
    Ok(found.map(|artifact| ArtifactView::of(artifact, execution)))
}

/// Artifact `id` of execution `execution` and its bytes; not found for a link, or when it
/// belongs to another execution.
pub async fn download(platform: &Platform, execution: Id, id: Id) -> ServiceResult<(ArtifactView, Vec<u8>)> {
    let artifact = platform.store.get_artifact(id).await?;
    if artifact.execution != Some(execution) {
        return Err(StoreError::not_found("artifact", id).into());
    }
    let content = match platform.store.artifact_file(id).await {
        Ok(digest) => {
            let files = platform.artifact_files.as_ref().ok_or_else(|| {
                ServiceError::Internal(format!(
                    "artifact {id} is kept in an artifact directory, and artifacts.dir is unset"
                ))
            })?;
            files.get(&digest).await.map_err(|error| ServiceError::Internal(format!("artifact {id}: {error}")))?
        }
        Err(StoreError::NotFound { .. }) => platform.store.artifact_content(id).await?,
        Err(other) => return Err(other.into()),
    };
    Ok((ArtifactView::of(artifact, execution), content))
}
