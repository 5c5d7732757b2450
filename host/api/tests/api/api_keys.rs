//! API keys over HTTP: shown once, stored as a digest, accepted as bearer credentials with
//! their identity's grants; revoked and expired keys are refused.

use attune_domain::credential::NewApiKey;
use attune_security::api_keys::{api_key_digest, generate_api_key};
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error};

#[tokio::test]
async fn service_accounts_work_with_api_keys_stored_as_digests() {
    let api = TestApi::start().await;
    assert_eq!(api.post("/api/v1/identities", json!({"login": "ci-bot"})).await.0, StatusCode::CREATED);
    let assign = api.call("PUT", "/api/v1/identities/ci-bot/permission-sets/operator", Some(&api.token), None).await;
    assert_eq!(assign.0, StatusCode::NO_CONTENT);

    let (status, created) = api.post("/api/v1/identities/ci-bot/api-keys", json!({"name": "deploys"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("atk_") && key.len() == 68, "{key}");
    assert_eq!(created["data"]["prefix"], key[..12]);
    assert_eq!(created["data"]["name"], "deploys");
    assert!(created["data"].get("key_hash").is_none());

    // At rest: the digest, never the key.
    let bot = api.platform.store.get_identity_by_login("ci-bot").await.unwrap();
    let stored = api.platform.store.list_api_keys(bot.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].key_hash, api_key_digest(&key));
    assert!(!format!("{:?}", stored[0]).contains(&key[4..]), "{:?}", stored[0]);

    // The key acts as its identity, with its grants.
    let (status, me) = api.call("GET", "/api/v1/auth/me", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["data"]["login"].as_str(), me["data"]["permission_sets"].clone()),
        (Some("ci-bot"), json!(["operator"]))
    );
    let (status, execution) = api.call("POST", "/api/v1/actions/core.noop/execute", Some(&key), Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{execution}");
    assert_eq!(execution["data"]["executor"], bot.id);
    let result = api.call("DELETE", "/api/v1/packs/core", Some(&key), None).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &api.call("POST", "/api/v1/auth/login", None, Some(json!({"login": "ci-bot", "password": key}))).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );

    let (status, listed) = api.get("/api/v1/identities/ci-bot/api-keys").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!listed.to_string().contains(&key), "listings never show the key");
    assert!(listed["data"][0]["last_used"].is_string(), "{listed}");
    let result = api.post("/api/v1/identities/ci-bot/api-keys", json!({"name": "deploys"})).await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");

    let id = created["data"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/identities/ci-bot/api-keys/{id}");
    assert_eq!(api.call("DELETE", &uri, Some(&api.token), None).await.0, StatusCode::NO_CONTENT);
    let message = assert_error(
        &api.call("GET", "/api/v1/auth/me", Some(&key), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(message, "API key refused: unknown or revoked");
    assert_error(&api.call("DELETE", &uri, Some(&api.token), None).await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn expired_keys_and_keys_of_disabled_identities_are_refused() {
    let api = TestApi::start().await;
    let store = &api.platform.store;
    api.identity_with("ci-bot", &["viewer"]).await;
    let bot = store.get_identity_by_login("ci-bot").await.unwrap();

    let expired = generate_api_key();
    let new = NewApiKey {
        identity: bot.id,
        name: "old".into(),
        prefix: expired.prefix.clone(),
        key_hash: expired.digest.clone(),
        expires_at: Some(chrono::Utc::now() - chrono::TimeDelta::seconds(1)),
    };
    store.create_api_key(&new).await.unwrap();
    let result = api.call("GET", "/api/v1/auth/me", Some(&expired.key), None).await;
    assert_eq!(assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized"), "API key refused: expired");

    let (status, created) =
        api.post("/api/v1/identities/ci-bot/api-keys", json!({"name": "ci", "expires_in_s": 3600})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let expires_at = created["data"]["expires_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let left = expires_at - chrono::Utc::now();
    assert!(left > chrono::TimeDelta::minutes(59) && left <= chrono::TimeDelta::hours(1), "{left}");
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    assert_eq!(api.call("GET", "/api/v1/packs", Some(&key), None).await.0, StatusCode::OK);

    let disable = json!({"enabled": false});
    assert_eq!(api.call("PATCH", "/api/v1/identities/ci-bot", Some(&api.token), Some(disable)).await.0, StatusCode::OK);
    assert_error(&api.call("GET", "/api/v1/packs", Some(&key), None).await, StatusCode::UNAUTHORIZED, "unauthorized");

    for body in [
        json!({"name": "x", "expires_in_s": 0}),
        json!({"name": "", "expires_in_s": 60}),
        json!({"name": "x", "expires_in_s": 1_000_000_000_000u64}),
    ] {
        let result = api.post("/api/v1/identities/ci-bot/api-keys", body).await;
        assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    assert_error(
        &api.post("/api/v1/identities/ghost/api-keys", json!({"name": "x"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn identities_manage_their_own_keys_only() {
    let api = TestApi::start().await;
    let bob = api.identity_with("bob", &["viewer"]).await;
    api.identity_with("ci-bot", &[]).await;
    let (status, created) =
        api.call("POST", "/api/v1/identities/bob/api-keys", Some(&bob), Some(json!({"name": "laptop"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, listed) = api.call("GET", "/api/v1/identities/bob/api-keys", Some(&bob), None).await;
    assert_eq!((status, listed["data"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let result = api.call("POST", "/api/v1/identities/ci-bot/api-keys", Some(&bob), Some(json!({"name": "x"}))).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs modify on identity");
    let id = created["data"]["id"].as_i64().unwrap();
    let result = api.call("DELETE", &format!("/api/v1/identities/ci-bot/api-keys/{id}"), Some(&bob), None).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
    let result = api.call("DELETE", &format!("/api/v1/identities/bob/api-keys/{id}"), Some(&bob), None).await;
    assert_eq!(result.0, StatusCode::NO_CONTENT);
}
