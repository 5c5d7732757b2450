//! Bad requests get a 4xx with a stable code.

use crate::support::{TestApi, assert_error};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_bodies() {
    let api = TestApi::start().await;
    let raw = |body: &'static str, content_type: &'static str| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    assert_error(
        &api.send(raw("{not json", "application/json")).await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    assert_error(
        &api.send(raw("{\"login\": \"admin\"}", "application/json"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.send(raw(
            "{\"login\": 1, \"password\": \"x\"}",
            "application/json",
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.send(raw(
            "{\"login\": \"a\", \"password\": \"b\", \"extra\": 1}",
            "application/json",
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.send(raw("login=admin", "text/plain")).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
}

#[tokio::test]
async fn oversized_bodies() {
    let api = TestApi::with_body_limit(1024).await;
    let result = api
        .post("/api/v1/packs/register", json!({"path": "x".repeat(4096)}))
        .await;
    assert_error(&result, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn bad_query_strings() {
    let api = TestApi::start().await;
    assert_error(
        &api.get("/api/v1/actions?page=first").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &api.get("/api/v1/actions?colour=red").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &api.get("/api/v1/packs?pack=core").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let api = TestApi::start().await;
    assert_error(
        &api.get("/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &api.call("PUT", "/api/v1/packs", Some(&api.token), None)
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}
