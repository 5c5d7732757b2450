//! Refresh tokens over HTTP: each is exchanged once; a reused one ends every session of its
//! identity; tokens of disabled, deleted or unknown sessions are refused.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, TestApi, assert_error};

async fn login(api: &TestApi) -> Value {
    let credentials = json!({"login": "admin", "password": ADMIN_PASSWORD});
    let (status, body) = api.call("POST", "/api/v1/auth/login", None, Some(credentials)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

async fn refresh(api: &TestApi, pair: &Value) -> (StatusCode, Value) {
    let body = json!({"refresh_token": pair["refresh_token"]});
    api.call("POST", "/api/v1/auth/refresh", None, Some(body)).await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_every_session() {
    let api = TestApi::start().await;
    let first = login(&api).await;
    let other_session = login(&api).await;

    let (status, second) = refresh(&api, &first).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["data"]["refresh_token"], first["refresh_token"], "a new refresh token");
    let (status, third) = refresh(&api, &second["data"]).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    let access = third["data"]["access_token"].as_str().unwrap();
    assert_eq!(api.call("GET", "/api/v1/auth/me", Some(access), None).await.0, StatusCode::OK);

    // The first token again: someone else holds it. Every refresh token of admin goes.
    let message = assert_error(&refresh(&api, &first).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(message.contains("already used"), "{message}");
    assert_error(&refresh(&api, &third["data"]).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_error(&refresh(&api, &other_session).await, StatusCode::UNAUTHORIZED, "unauthorized");

    // Logging in starts afresh.
    let fresh = login(&api).await;
    assert_eq!(refresh(&api, &fresh).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_not_issued_by_login_are_refused() {
    let api = TestApi::start().await;
    let admin = api.platform.store.get_identity_by_login("admin").await.unwrap();
    // Validly signed, never recorded.
    let unrecorded = api.platform.tokens.issue(admin.id, "admin");
    let body = json!({"refresh_token": unrecorded.refresh_token});
    let result = api.call("POST", "/api/v1/auth/refresh", None, Some(body)).await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn refresh_tokens_of_disabled_and_deleted_identities_are_refused() {
    let api = TestApi::start().await;
    let store = &api.platform.store;
    let body = json!({"login": "bob", "password": "bobs-long-password"});
    assert_eq!(api.post("/api/v1/identities", body).await.0, StatusCode::CREATED);
    let credentials = json!({"login": "bob", "password": "bobs-long-password"});
    let (_, first) = api.call("POST", "/api/v1/auth/login", None, Some(credentials.clone())).await;
    let (_, second) = api.call("POST", "/api/v1/auth/login", None, Some(credentials)).await;

    let bob = store.get_identity_by_login("bob").await.unwrap();
    let disable = attune_store::IdentityPatch { enabled: Some(false), ..Default::default() };
    store.update_identity(bob.id, &disable).await.unwrap();
    assert_error(&refresh(&api, &first["data"]).await, StatusCode::UNAUTHORIZED, "unauthorized");

    store.delete_identity(bob.id).await.unwrap();
    assert_error(&refresh(&api, &second["data"]).await, StatusCode::UNAUTHORIZED, "unauthorized");
}
