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
    assert_error(&api.send(raw("{not json", "application/json")).await, StatusCode::BAD_REQUEST, "invalid_json");
    assert_error(
        &api.send(raw("{\"login\": \"admin\"}", "application/json")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.send(raw("{\"login\": 1, \"password\": \"x\"}", "application/json")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.send(raw("{\"login\": \"a\", \"password\": \"b\", \"extra\": 1}", "application/json")).await,
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
    let result = api.post("/api/v1/packs/register", json!({"path": "x".repeat(4096)})).await;
    assert_error(&result, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn bad_query_strings() {
    let api = TestApi::start().await;
    assert_error(&api.get("/api/v1/actions?page=first").await, StatusCode::BAD_REQUEST, "invalid_query");
    assert_error(&api.get("/api/v1/actions?colour=red").await, StatusCode::BAD_REQUEST, "invalid_query");
    assert_error(&api.get("/api/v1/packs?pack=core").await, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let api = TestApi::start().await;
    assert_error(&api.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &api.call("PUT", "/api/v1/packs", Some(&api.token), None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

/// Every operation that takes a JSON body, found in the OpenAPI document, refuses malformed
/// JSON, a body of the wrong type and an unknown field, each with a 4xx and a stable code,
/// and stores nothing.
#[tokio::test]
async fn every_body_refuses_malformed_json_wrong_types_and_unknown_fields() {
    use crate::openapi::{document, operations, request_body, request_uri};

    let api = TestApi::start().await;
    let doc = document(&api).await;
    let before = api.get("/api/v1/packs").await.1;
    let mut checked = 0;
    for (method, path, operation) in operations(&doc) {
        let Some(sample) = request_body(&doc, &operation) else { continue };
        // A webhook post carries whatever its sender sends: any JSON is its payload.
        if path == "/api/v1/webhooks/{name}" && method == "POST" {
            continue;
        }
        let uri = request_uri(&path, &operation);
        let raw = |body: String| {
            Request::builder()
                .method(method.as_str())
                .uri(&uri)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", api.token))
                .body(Body::from(body))
                .unwrap()
        };
        let context = format!("{method} {uri}");
        let malformed = api.send(raw("{not json".into())).await;
        assert_eq!(
            (malformed.0, malformed.1["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_json")),
            "{context}: {}",
            malformed.1
        );
        let wrong_type = api.send(raw("\"a string, not an object\"".into())).await;
        assert_eq!(
            (wrong_type.0, wrong_type.1["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")),
            "{context}: {}",
            wrong_type.1
        );
        let mut unknown = sample.clone();
        if let Some(fields) = unknown.as_object_mut() {
            fields.insert("no_such_field".into(), json!(1));
            let refused = api.send(raw(unknown.to_string())).await;
            assert_eq!(
                (refused.0, refused.1["error"]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")),
                "{context}: {}",
                refused.1
            );
            assert!(
                refused.1["error"]["message"].as_str().unwrap().contains("no_such_field"),
                "{context}: names the field: {}",
                refused.1
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} operations take a body");
    assert_eq!(api.get("/api/v1/packs").await.1, before, "nothing was stored");
}

/// Refs that name nothing: 404 in a path, 422 naming the field in a body.
#[tokio::test]
async fn unknown_refs() {
    let api = TestApi::start().await;
    let result = api.post("/api/v1/actions/core.nothing/execute", json!({"parameters": {}})).await;
    assert_error(&result, StatusCode::NOT_FOUND, "not_found");
    let result = api.post("/api/v1/executions", json!({"action_ref": "core.nothing"})).await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(message.contains("core.nothing") || result.1.to_string().contains("core.nothing"), "{}", result.1);
    let rule = json!({"ref": "core.r", "trigger": "core.nowhere", "action": "core.noop"});
    let result = api.post("/api/v1/rules", rule).await;
    assert!(result.1.to_string().contains("core.nowhere"), "{}", result.1);
    assert_eq!(result.0, StatusCode::UNPROCESSABLE_ENTITY);
    for uri in
        ["/api/v1/packs/nothing", "/api/v1/rules/core.nothing", "/api/v1/executions/999999", "/api/v1/webhooks/nothing"]
    {
        assert_error(&api.get(uri).await, StatusCode::NOT_FOUND, "not_found");
    }
    assert_error(&api.get("/api/v1/executions/not-a-number").await, StatusCode::BAD_REQUEST, "invalid_path");
}
