//! `/api/v1/executions/{id}/artifacts`: what an execution published, and downloads.
//!
//! A download is served as an attachment that a browser never renders in the API's
//! origin: `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and a
//! sandboxing `Content-Security-Policy`. An artifact is whatever an action wrote — an HTML
//! or SVG file from a hostile pack must not run script where the web UI's session lives.

use attune_domain::Id;
use attune_services::artifacts::{self, ArtifactView};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::envelope::{PageQuery, Paged, page};
use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/executions/{id}/artifacts", get(list))
        .route("/api/v1/executions/{id}/artifacts/{artifact_id}", get(download))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, download))]
pub struct Doc;

/// List the artifacts an execution published, newest first.
#[utoipa::path(get, path = "/api/v1/executions/{id}/artifacts", tag = "executions", params(PageQuery),
    responses((status = OK, description = "A page of artifacts", body = Paged<ArtifactView>)))]
async fn list(
    State(state): State<ApiState>,
    Path(id): Path<Id>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<Value>> {
    Ok(page(artifacts::list(&state.platform, id, query.request()).await?))
}

/// Download a file artifact of an execution (a link has nothing to download: 404).
#[utoipa::path(get, path = "/api/v1/executions/{id}/artifacts/{artifact_id}", tag = "executions",
    params(("id" = i64, Path, description = "The execution"), ("artifact_id" = i64, Path, description = "The artifact")),
    responses((status = OK, description = "The file, as an attachment", content_type = "application/octet-stream",
        body = Vec<u8>)))]
async fn download(State(state): State<ApiState>, Path((id, artifact_id)): Path<(Id, Id)>) -> ApiResult<Response> {
    let (artifact, bytes) = artifacts::download(&state.platform, id, artifact_id).await?;
    let content_type =
        HeaderValue::from_str(artifact.content_type()).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&attachment(&artifact.name)).unwrap_or(HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, bytes).into_response())
}

/// `attachment` with the name twice: a plain ASCII fallback (`filename`) and the exact name
/// percent-encoded as UTF-8 (`filename*`, RFC 6266).
fn attachment(name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn names_cannot_break_out_of_the_header() {
        assert_eq!(attachment("report.txt"), "attachment; filename=\"report.txt\"; filename*=UTF-8''report.txt");
        assert_eq!(
            attachment("a\"; x=y é.csv"),
            "attachment; filename=\"a___x_y__.csv\"; filename*=UTF-8''a%22%3B%20x%3Dy%20%C3%A9.csv"
        );
    }
}
