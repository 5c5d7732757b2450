//! Recording what an execution published as artifacts.
//!
//! Artifacts are stored before the execution's status turns terminal, so whoever sees it
//! ended finds them. Secret values the action was given are masked in any artifact that is
//! text, as in its output: an action that writes its token into a report does not publish
//! it. A failure to store one artifact is logged and does not change how the execution
//! ended.

use attune_domain::artifact::NewArtifact;
use attune_domain::execution::Execution;
use attune_domain::status::{KeyOwnerType, RetentionPolicyType};
use attune_runtime_api::{ArtifactContent, PublishedArtifact};
use attune_services::artifact_files::ArtifactFiles;
use attune_services::secret_params::Redactor;
use attune_store::Store;
use serde_json::json;

/// Stores `artifacts` of `execution`: a file's bytes in `files` when given, else in the
/// store.
pub async fn record(
    store: &dyn Store,
    files: Option<&ArtifactFiles>,
    execution: &Execution,
    artifacts: Vec<PublishedArtifact>,
    redactor: &Redactor,
) {
    for artifact in artifacts {
        let mut row = new_artifact(execution, artifact, redactor);
        if let Some(files) = files
            && let Some(bytes) = row.content.take()
        {
            match files.put(bytes.clone()).await {
                Ok(digest) => row.file = Some(digest),
                Err(error) => {
                    // Kept rather than lost: a full or unwritable directory falls back to the store.
                    tracing::error!(%error, dir = %files.dir().display(), artifact = %row.r#ref,
                        "artifact file not written; its bytes go to the store");
                    row.content = Some(bytes);
                }
            }
        }
        if let Err(error) = store.create_artifact(&row).await {
            tracing::error!(%error, execution = execution.id, artifact = %row.r#ref, "artifact not recorded");
        }
    }
}

fn new_artifact(execution: &Execution, artifact: PublishedArtifact, redactor: &Redactor) -> NewArtifact {
    let artifact_type = artifact.kind();
    let (data, content) = match artifact.content {
        ArtifactContent::File { media_type, bytes } => {
            let bytes = masked(bytes, redactor);
            (json!({"name": artifact.name, "media_type": media_type, "size_bytes": bytes.len()}), Some(bytes))
        }
        ArtifactContent::Link { url } => (json!({"name": artifact.name, "url": redactor.text(&url)}), None),
    };
    NewArtifact {
        r#ref: artifact.name,
        scope: KeyOwnerType::Action,
        owner: execution.action_ref.clone(),
        artifact_type,
        // Informational: the collector applies `retention.artifacts` to every artifact.
        retention_policy: RetentionPolicyType::Days,
        retention_limit: 30,
        execution: Some(execution.id),
        data,
        content,
        file: None,
    }
}

/// `bytes` with every secret value masked, when they are text containing one.
fn masked(bytes: Vec<u8>, redactor: &Redactor) -> Vec<u8> {
    if redactor.is_empty() {
        return bytes;
    }
    match String::from_utf8(bytes) {
        Ok(text) => redactor.text(&text).into_bytes(),
        Err(not_text) => not_text.into_bytes(),
    }
}
