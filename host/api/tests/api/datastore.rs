//! The datastore over HTTP: scopes and owners, grants (pack-scoped ones too), encryption at
//! rest, decryption only with the grant, masking otherwise, and expiry.

use attune_domain::MASK;
use attune_domain::key::{KeyOwner, NewKey};
use attune_domain::status::KeyOwnerType;
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error, register_vault_pack};

#[tokio::test]
async fn system_keys_are_written_read_listed_and_deleted() {
    let api = TestApi::start().await;
    let put = async |uri: &str, body| api.call("PUT", uri, Some(&api.token), Some(body)).await;
    let (status, created) = put("/api/v1/keys/greeting", json!({"value": "hello"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = &created["data"];
    assert_eq!(
        (key["ref"].as_str(), key["scope"].as_str(), key["value"].as_str()),
        (Some("greeting"), Some("system"), Some("hello"))
    );
    assert!(key["owner"].is_null() && key["expires_at"].is_null() && key["encrypted"] == false);
    let (status, replaced) = put("/api/v1/keys/greeting", json!({"value": "hi"})).await;
    assert_eq!((status, replaced["data"]["id"].clone()), (StatusCode::OK, key["id"].clone()));

    assert_eq!(api.get("/api/v1/keys/greeting").await.1["data"]["value"], "hi");
    assert_eq!(api.get("/api/v1/keys/greeting?scope=system").await.1["data"]["value"], "hi");
    let (status, listed) = api.get("/api/v1/keys?prefix=gree").await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(api.get("/api/v1/keys?prefix=x").await.1["pagination"]["total"], 0);

    assert_eq!(api.call("DELETE", "/api/v1/keys/greeting", Some(&api.token), None).await.0, StatusCode::NO_CONTENT);
    assert_error(&api.get("/api/v1/keys/greeting").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &api.call("DELETE", "/api/v1/keys/greeting", Some(&api.token), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    assert_error(
        &put("/api/v1/keys/bad%20name", json!({"value": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_error(
        &put("/api/v1/keys/k?scope=planet", json!({"value": "x"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    let result = put("/api/v1/keys/k?owner=someone", json!({"value": "x"})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_error(&put("/api/v1/keys/k", json!({"value": 3})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert_error(&api.get("/api/v1/keys?owner=admin").await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn encrypted_values_are_sealed_at_rest_and_shown_only_with_the_grant() {
    let api = TestApi::start().await;
    let body = json!({"value": "s3cret-pw", "encrypted": true});
    let (status, created) = api.call("PUT", "/api/v1/keys/db_password", Some(&api.token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!((created["data"]["value"].as_str(), created["data"]["encrypted"].as_bool()), (Some(MASK), Some(true)));

    let stored = api.platform.store.get_key(KeyOwnerType::System, "", "db_password").await.unwrap();
    assert!(!stored.value.contains("s3cret-pw") && stored.value.starts_with("v1:"), "{}", stored.value);
    assert_eq!(stored.encryption_key_hash.as_deref(), Some(api.platform.cipher.fingerprint()));
    assert_eq!(api.platform.cipher.decrypt(&stored.value).unwrap(), "s3cret-pw");

    assert_eq!(api.get("/api/v1/keys/db_password").await.1["data"]["value"], MASK);
    assert_eq!(
        api.get("/api/v1/keys/db_password?decrypt=true").await.1["data"]["value"],
        "s3cret-pw",
        "admins decrypt"
    );
    let (_, listed) = api.get("/api/v1/keys").await;
    assert!(!listed.to_string().contains("s3cret-pw"), "lists always mask: {listed}");
    assert_error(&api.get("/api/v1/keys?decrypt=true").await, StatusCode::BAD_REQUEST, "invalid_query");

    // Editors manage keys but do not read secrets back.
    let editor = api.identity_with("eddie", &["editor"]).await;
    let (status, shown) = api.call("GET", "/api/v1/keys/db_password", Some(&editor), None).await;
    assert_eq!((status, shown["data"]["value"].as_str()), (StatusCode::OK, Some(MASK)));
    let result = api.call("GET", "/api/v1/keys/db_password?decrypt=true", Some(&editor), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on key");
    let replace = json!({"value": "rotated-pw", "encrypted": true});
    assert_eq!(api.call("PUT", "/api/v1/keys/db_password", Some(&editor), Some(replace)).await.0, StatusCode::OK);
    assert_eq!(api.get("/api/v1/keys/db_password?decrypt=true").await.1["data"]["value"], "rotated-pw");

    // A plain value needs no decryption grant.
    api.call("PUT", "/api/v1/keys/region", Some(&api.token), Some(json!({"value": "eu-west-1"}))).await;
    let (_, shown) = api.call("GET", "/api/v1/keys/region?decrypt=true", Some(&editor), None).await;
    assert_eq!(shown["data"]["value"], "eu-west-1");
}

#[tokio::test]
async fn identities_own_their_keys() {
    let api = TestApi::start().await;
    let nobody = api.identity_with("nobody", &[]).await;
    let body = json!({"value": "dark", "encrypted": true});
    let (status, created) = api.call("PUT", "/api/v1/keys/theme?scope=identity", Some(&nobody), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (created["data"]["owner"].as_str(), created["data"]["ref"].as_str()),
        (Some("nobody"), Some("nobody.theme"))
    );
    let (status, shown) = api.call("GET", "/api/v1/keys/theme?scope=identity&decrypt=true", Some(&nobody), None).await;
    assert_eq!((status, shown["data"]["value"].as_str()), (StatusCode::OK, Some("dark")), "owners decrypt their own");
    let (status, listed) = api.call("GET", "/api/v1/keys?scope=identity", Some(&nobody), None).await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (StatusCode::OK, Some(1)));

    for uri in [
        "/api/v1/keys/theme?scope=identity&owner=admin",
        "/api/v1/keys/theme",
        "/api/v1/keys?scope=identity&owner=admin",
    ] {
        let result = api.call("GET", uri, Some(&nobody), None).await;
        assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs view on key", "{uri}");
    }
    let (status, shown) = api.get("/api/v1/keys/theme?scope=identity&owner=nobody").await;
    assert_eq!((status, shown["data"]["value"].as_str()), (StatusCode::OK, Some(MASK)));

    let result = api
        .call("PUT", "/api/v1/keys/x?scope=identity&owner=ghost", Some(&api.token), Some(json!({"value": "v"})))
        .await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(message.contains("identity 'ghost' does not exist"), "{message}");
    assert_eq!(
        api.call("DELETE", "/api/v1/keys/theme?scope=identity", Some(&nobody), None).await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn pack_scoped_key_grants_reach_their_pack_and_its_components() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let set = json!({"ref": "vault-keepers", "grants": ["key@vault:view,create,modify,delete"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    let keeper = api.identity_with("kim", &["vault-keepers"]).await;
    let put = async |uri: &str| api.call("PUT", uri, Some(&keeper), Some(json!({"value": "https://vault"}))).await;

    assert_eq!(put("/api/v1/keys/url?scope=pack&owner=vault").await.0, StatusCode::CREATED);
    let (status, body) = put("/api/v1/keys/retries?scope=action&owner=vault.login").await;
    assert_eq!((status, body["data"]["ref"].as_str()), (StatusCode::CREATED, Some("vault.login.retries")));
    let result = put("/api/v1/keys/url?scope=pack&owner=core").await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs create on key in pack core");
    assert_error(&put("/api/v1/keys/url").await, StatusCode::FORBIDDEN, "forbidden");
    let result = put("/api/v1/keys/url?scope=pack").await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let result = put("/api/v1/keys/url?scope=sensor&owner=vault.nope").await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(message.contains("sensor 'vault.nope' does not exist"), "{message}");

    let (status, listed) = api.call("GET", "/api/v1/keys?scope=pack&owner=vault", Some(&keeper), None).await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (StatusCode::OK, Some(1)));
    for uri in ["/api/v1/keys", "/api/v1/keys?scope=pack", "/api/v1/keys?scope=pack&owner=core"] {
        assert_error(&api.call("GET", uri, Some(&keeper), None).await, StatusCode::FORBIDDEN, "forbidden");
    }

    // The same row the pack's actions read through their datastore.
    let store = &api.platform.store;
    assert_eq!(store.get_key(KeyOwnerType::Pack, "vault", "url").await.unwrap().value, "https://vault");
    let result = api.call("DELETE", "/api/v1/keys/url?scope=pack&owner=vault", Some(&keeper), None).await;
    assert_eq!(result.0, StatusCode::NO_CONTENT);
    assert!(store.get_key(KeyOwnerType::Pack, "vault", "url").await.is_err());
}

#[tokio::test]
async fn keys_expire_after_their_ttl() {
    let api = TestApi::start().await;
    let body = json!({"value": "v", "ttl_s": 3600});
    let (status, created) = api.call("PUT", "/api/v1/keys/session", Some(&api.token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let expires_at = created["data"]["expires_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let left = expires_at - chrono::Utc::now();
    assert!(left > chrono::TimeDelta::minutes(59) && left <= chrono::TimeDelta::hours(1), "{left}");

    // A key whose TTL has run out is gone from every read.
    let expired = NewKey {
        owner: KeyOwner::System,
        name: "stale".into(),
        value: "old".into(),
        encrypted: false,
        encryption_key_hash: None,
        expires_at: Some(chrono::Utc::now() - chrono::TimeDelta::seconds(1)),
    };
    api.platform.store.put_key(&expired).await.unwrap();
    assert_error(&api.get("/api/v1/keys/stale").await, StatusCode::NOT_FOUND, "not_found");
    let (_, listed) = api.get("/api/v1/keys").await;
    assert_eq!(listed["pagination"]["total"], 1, "{listed}");
    let result = api.call("PUT", "/api/v1/keys/k", Some(&api.token), Some(json!({"value": "v", "ttl_s": 0}))).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn only_an_administrator_binds_a_system_secret_to_a_pack() {
    let api = TestApi::start().await;
    let uri = "/api/v1/packs/core/secrets/db_password";
    let binding = json!({"scope": "system", "key": "db_password"});
    let editor = api.identity_with("ed", &["editor"]).await;
    let refused = api.call("PUT", uri, Some(&editor), Some(binding.clone())).await;
    let message = assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert!(message.contains("execute on key"), "{message}");

    let (status, made) = api.call("PUT", uri, Some(&api.token), Some(binding.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (made["data"]["key_scope"].as_str(), made["data"]["key_name"].as_str()),
        (Some("system"), Some("db_password"))
    );
    let other_pack = json!({"scope": "pack", "owner": "core", "key": "elsewhere"});
    assert_eq!(api.call("PUT", uri, Some(&api.token), Some(other_pack)).await.0, StatusCode::OK, "replaced");
    let (_, listed) = api.call("GET", "/api/v1/packs/core/secrets", Some(&editor), None).await;
    assert_eq!(listed["data"][0]["key_owner"], "core", "{listed}");

    for (body, field) in [
        (json!({"scope": "identity", "key": "x"}), "scope"),
        (json!({"scope": "pack", "key": "x"}), "owner"),
        (json!({"scope": "pack", "owner": "ghost", "key": "x"}), "owner"),
        (json!({"scope": "system", "key": "bad name!"}), "key"),
    ] {
        let result = api.call("PUT", uri, Some(&api.token), Some(body)).await;
        assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(result.1["error"]["details"]["fields"][0]["field"], field, "{}", result.1);
    }
    assert_eq!(api.call("DELETE", uri, Some(&api.token), None).await.0, StatusCode::NO_CONTENT);
    assert_error(&api.call("DELETE", uri, Some(&api.token), None).await, StatusCode::NOT_FOUND, "not_found");
}
