//! Authentication: login, refresh, me, and the token requirement on every protected route.

use crate::support::{ADMIN_PASSWORD, TestApi, assert_error};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_needs_no_token() {
    let api = TestApi::start().await;
    let (status, body) = api.call("GET", "/health", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"]["backend"], "sqlite");
}

#[tokio::test]
async fn login_issues_tokens_and_refuses_bad_credentials() {
    let api = TestApi::start().await;
    let (status, body) =
        api.call("POST", "/api/v1/auth/login", None, Some(json!({"login": "admin", "password": ADMIN_PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["token_type"], "Bearer");
    assert_eq!(body["data"]["expires_in"], 3600);
    assert!(body["data"]["refresh_token"].is_string());

    for credentials in [json!({"login": "admin", "password": "wrong"}), json!({"login": "nobody", "password": "x"})] {
        let result = api.call("POST", "/api/v1/auth/login", None, Some(credentials)).await;
        let message = assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(message, "invalid login or password", "the same answer whichever part is wrong");
    }
}

#[tokio::test]
async fn refresh_and_me() {
    let api = TestApi::start().await;
    let (_, login) =
        api.call("POST", "/api/v1/auth/login", None, Some(json!({"login": "admin", "password": ADMIN_PASSWORD}))).await;
    let refresh_token = login["data"]["refresh_token"].as_str().unwrap();
    let (status, refreshed) =
        api.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh_token}))).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let new_access = refreshed["data"]["access_token"].as_str().unwrap();

    let (status, me) = api.call("GET", "/api/v1/auth/me", Some(new_access), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["data"]["login"], "admin");
    assert!(me["data"].get("password_hash").is_none(), "hashes are never serialized");

    // An access token is not a refresh token, and the other way round.
    let access = login["data"]["access_token"].as_str().unwrap();
    let result = api.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": access}))).await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
    let result = api.call("GET", "/api/v1/auth/me", Some(refresh_token), None).await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn every_protected_route_requires_a_valid_token() {
    let api = TestApi::start().await;
    let routes = [
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/packs"),
        ("POST", "/api/v1/packs/register"),
        ("GET", "/api/v1/packs/core"),
        ("DELETE", "/api/v1/packs/core"),
        ("GET", "/api/v1/actions"),
        ("GET", "/api/v1/actions/core.echo"),
        ("GET", "/api/v1/triggers"),
        ("GET", "/api/v1/triggers/core.webhook"),
        ("GET", "/api/v1/sensors"),
        ("GET", "/api/v1/sensors/core.x"),
        ("GET", "/api/v1/rules"),
        ("POST", "/api/v1/rules"),
        ("GET", "/api/v1/rules/core.x"),
        ("PUT", "/api/v1/rules/core.x"),
        ("DELETE", "/api/v1/rules/core.x"),
        ("POST", "/api/v1/rules/core.x/enable"),
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/events/1"),
        ("GET", "/api/v1/enforcements"),
        ("GET", "/api/v1/enforcements/1"),
        ("POST", "/api/v1/webhooks/anything"),
        ("GET", "/api/v1/executions"),
        ("POST", "/api/v1/executions"),
        ("GET", "/api/v1/executions/1/output"),
        ("POST", "/api/v1/executions/1/cancel"),
        ("GET", "/api/v1/workers"),
        ("GET", "/api/v1/runtimes"),
    ];
    for (method, uri) in routes {
        for token in [None, Some("garbage"), Some("a.b.c")] {
            let result = api.call(method, uri, token, None).await;
            assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
        }
    }
    // The pack is still there: nothing above went through.
    assert_eq!(api.get("/api/v1/packs/core").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_deleted_identity_loses_access() {
    let api = TestApi::start().await;
    let admin = api.platform.store.get_identity_by_login("admin").await.unwrap();
    api.platform.store.delete_identity(admin.id).await.unwrap();
    let result = api.get("/api/v1/packs").await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
}
