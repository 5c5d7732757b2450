//! The API's own description: the OpenAPI document at `/api/v1/openapi.json` (see
//! `crate::openapi`) and Swagger UI at `/docs`.
//!
//! Swagger UI's files are compiled in (`assets/swagger-ui`, from the npm package
//! `swagger-ui-dist`): the server shows its documentation without network access, and the
//! UI served is the one reviewed in the repository.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/docs", get(page))
        .route("/docs/{asset}", get(asset))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(openapi_json, page, asset))]
pub struct Doc;

/// This document: the API's OpenAPI 3 description.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "docs",
    responses((status = OK, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::json())
}

/// Swagger UI: this document, browsable, with requests sent from the page.
#[utoipa::path(get, path = "/docs", tag = "docs",
    responses((status = OK, description = "Swagger UI", content_type = "text/html", body = String)))]
async fn page() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("../../assets/swagger-ui/index.html"))
}

/// Swagger UI's script and style sheet.
#[utoipa::path(get, path = "/docs/{asset}", tag = "docs",
    responses((status = OK, description = "The file", content(
        (String = "text/javascript"),
        (String = "text/css"),
    ))))]
async fn asset(Path(asset): Path<String>) -> ApiResult<impl IntoResponse> {
    let (content_type, body): (_, &'static [u8]) = match asset.as_str() {
        "swagger-ui-bundle.js" => {
            ("text/javascript; charset=utf-8", include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"))
        }
        "swagger-ui.css" => ("text/css; charset=utf-8", include_bytes!("../../assets/swagger-ui/swagger-ui.css")),
        _ => return Err(ApiError::not_found(format!("no such file: {asset}"))),
    };
    // The files change only with the binary.
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body))
}
