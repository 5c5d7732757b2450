//! An execution's token acts as its identity (here `admin`, who may do anything) but
//! reaches only its scope: its pack's keys, starting executions, and its own execution and
//! those it started. Everything an attacker running as an action would go for next —
//! identities, API keys, permission sets, packs, other packs' and system keys, other
//! executions — is refused.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error};

/// Starts `core.echo` as admin and returns its id and a token for it, as the worker
/// would issue one.
async fn execution_with_token(api: &TestApi) -> (i64, String) {
    let (status, created) =
        api.post("/api/v1/actions/core.echo/execute", json!({"parameters": {"message": "x"}})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let token = api.platform.tokens.issue_for_execution(1, "admin", 0, id, Duration::from_secs(60));
    (id, token)
}

#[tokio::test]
async fn an_execution_token_reaches_only_its_scope() {
    let api = TestApi::start().await;
    let (id, token) = execution_with_token(&api).await;
    let (_, other) = api.post("/api/v1/actions/core.echo/execute", json!({"parameters": {"message": "y"}})).await;
    let other = other["data"]["id"].as_i64().unwrap();
    let as_action = async |method: &str, uri: &str, body: Option<serde_json::Value>| {
        api.call(method, uri, Some(&token), body).await
    };

    // Who it is, and its own execution.
    assert_eq!(as_action("GET", "/api/v1/auth/me", None).await.1["data"]["login"], "admin");
    assert_eq!(as_action("GET", &format!("/api/v1/executions/{id}"), None).await.0, StatusCode::OK);
    assert_eq!(as_action("GET", &format!("/api/v1/executions/{id}/output"), None).await.0, StatusCode::OK);

    // Its pack's keys (core), and no other.
    let put = as_action("PUT", "/api/v1/keys/state?scope=pack&owner=core", Some(json!({"value": "1"}))).await;
    assert_eq!(put.0, StatusCode::CREATED, "{}", put.1);
    let read = as_action("GET", "/api/v1/keys/state?scope=pack&owner=core", None).await;
    assert_eq!(read.1["data"]["value"], "1");
    assert_eq!(as_action("GET", "/api/v1/keys?scope=pack&owner=core", None).await.0, StatusCode::OK);
    api.call("PUT", "/api/v1/keys/db_password", Some(&api.token), Some(json!({"value": "s3cret"}))).await;
    for uri in ["/api/v1/keys/db_password", "/api/v1/keys/db_password?scope=pack&owner=vault", "/api/v1/keys"] {
        let message = assert_error(&as_action("GET", uri, None).await, StatusCode::FORBIDDEN, "forbidden");
        assert!(message.contains("only the keys of its pack"), "{uri}: {message}");
    }
    let own_identity = as_action("PUT", "/api/v1/keys/mine?scope=identity", Some(json!({"value": "x"}))).await;
    assert_error(&own_identity, StatusCode::FORBIDDEN, "forbidden");

    // What an escalation needs is out of reach, though admin's grants would allow it.
    let attempts = [
        ("POST", "/api/v1/identities/admin/api-keys", Some(json!({"name": "backdoor"}))),
        ("GET", "/api/v1/identities", None),
        ("PATCH", "/api/v1/identities/admin", Some(json!({"enabled": true}))),
        ("PUT", "/api/v1/identities/admin/permission-sets/admin", None),
        ("GET", "/api/v1/permission-sets", None),
        ("POST", "/api/v1/packs/register", Some(json!({"path": "/"}))),
        ("DELETE", "/api/v1/packs/core", None),
        ("POST", "/api/v1/auth/password", Some(json!({"current_password": "x", "new_password": "y"}))),
        ("GET", "/api/v1/executions", None),
        ("GET", "/api/v1/stream", None),
    ];
    for (method, uri, body) in attempts {
        let refused = as_action(method, uri, body).await;
        let message = assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
        assert!(message.contains("an execution's token may only"), "{method} {uri}: {message}");
    }
    // Another execution, even one of the same identity.
    for uri in [format!("/api/v1/executions/{other}"), format!("/api/v1/executions/{other}/output")] {
        assert_error(&as_action("GET", &uri, None).await, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_error(
        &as_action("POST", &format!("/api/v1/executions/{other}/cancel"), None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

#[tokio::test]
async fn executions_an_execution_starts_are_its_children_which_it_may_follow() {
    let api = TestApi::start().await;
    let (id, token) = execution_with_token(&api).await;
    let (status, started) = api
        .call("POST", "/api/v1/actions/core.echo/execute", Some(&token), Some(json!({"parameters": {"message": "c"}})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let child = started["data"]["id"].as_i64().unwrap();
    assert_eq!(started["data"]["parent"], json!(id));
    assert_eq!(started["data"]["executor"], json!(1), "it runs as the token's identity");

    let shown = api.call("GET", &format!("/api/v1/executions/{child}"), Some(&token), None).await;
    assert_eq!(shown.0, StatusCode::OK, "{}", shown.1);
    let children = api.call("GET", &format!("/api/v1/executions/{id}/children"), Some(&token), None).await;
    assert_eq!(children.1["data"][0]["id"], json!(child), "{}", children.1);
    let cancelled = api.call("POST", &format!("/api/v1/executions/{child}/cancel"), Some(&token), None).await;
    assert_eq!(cancelled.0, StatusCode::OK, "{}", cancelled.1);
}

#[tokio::test]
async fn an_execution_token_is_refused_once_its_execution_has_ended() {
    let api = TestApi::start().await;
    let (id, token) = execution_with_token(&api).await;
    api.post(&format!("/api/v1/executions/{id}/cancel"), json!({})).await;
    let message = assert_error(
        &api.call("GET", "/api/v1/auth/me", Some(&token), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert!(message.contains("has ended"), "{message}");
}
