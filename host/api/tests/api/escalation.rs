//! Nobody gets more than they hold by acting on a stronger identity: changing, disabling,
//! deleting, unassigning and API keys all need a caller covering the target's grants. And a
//! password change or a disable revokes every credential of the identity at once.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, TestApi, assert_error};

async fn helpdesk(api: &TestApi) -> String {
    let set = json!({"ref": "helpdesk", "grants": ["identity:view,create,modify,delete", "*:view"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    api.identity_with("hal", &["helpdesk"]).await
}

async fn as_caller(api: &TestApi, token: &str, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    api.call(method, uri, Some(token), body).await
}

#[tokio::test]
async fn identity_managers_cannot_take_over_a_stronger_identity() {
    let api = TestApi::start().await;
    let hal = helpdesk(&api).await;
    let attacks: [(&str, &str, Option<Value>); 6] = [
        ("PATCH", "/api/v1/identities/admin", Some(json!({"password": "hal-owns-admin-now"}))),
        ("PATCH", "/api/v1/identities/admin", Some(json!({"enabled": false}))),
        ("POST", "/api/v1/identities/admin/api-keys", Some(json!({"name": "backdoor"}))),
        ("DELETE", "/api/v1/identities/admin/permission-sets/admin", None),
        ("DELETE", "/api/v1/identities/admin/api-keys/1", None),
        ("DELETE", "/api/v1/identities/admin", None),
    ];
    for (method, uri, body) in attacks {
        let result = as_caller(&api, &hal, method, uri, body).await;
        let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
        assert!(message.starts_with("identity 'admin' holds *:"), "{method} {uri}: {message}");
    }
    // Nothing changed: the password, the keys, the sets, the identity.
    let login = json!({"login": "admin", "password": ADMIN_PASSWORD});
    assert_eq!(api.call("POST", "/api/v1/auth/login", None, Some(login)).await.0, StatusCode::OK);
    let (_, admin) = api.get("/api/v1/identities/admin").await;
    assert_eq!(
        (admin["data"]["enabled"].as_bool(), admin["data"]["permission_sets"].clone()),
        (Some(true), json!(["admin"]))
    );
    assert_eq!(api.get("/api/v1/identities/admin/api-keys").await.1["data"], json!([]));

    // An operator holds execute grants the help desk lacks: it is out of reach too.
    api.identity_with("olga", &["operator"]).await;
    let result = as_caller(&api, &hal, "POST", "/api/v1/identities/olga/api-keys", Some(json!({"name": "x"}))).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");

    // Identities the help desk covers are its to manage, itself included.
    api.identity_with("vera", &["viewer"]).await;
    let reset = json!({"password": "a-fresh-password-for-vera"});
    assert_eq!(as_caller(&api, &hal, "PATCH", "/api/v1/identities/vera", Some(reset)).await.0, StatusCode::OK);
    let (status, key) =
        as_caller(&api, &hal, "POST", "/api/v1/identities/vera/api-keys", Some(json!({"name": "k"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let unassign = as_caller(&api, &hal, "DELETE", "/api/v1/identities/vera/permission-sets/viewer", None).await;
    assert_eq!(unassign.0, StatusCode::NO_CONTENT);
    let (status, own) =
        as_caller(&api, &hal, "POST", "/api/v1/identities/hal/api-keys", Some(json!({"name": "mine"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    assert_eq!(as_caller(&api, &hal, "DELETE", "/api/v1/identities/vera", None).await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_password_change_or_a_disable_revokes_every_credential_at_once() {
    let api = TestApi::start().await;
    let body = json!({"login": "bob", "password": "bobs-long-password"});
    assert_eq!(api.post("/api/v1/identities", body).await.0, StatusCode::CREATED);
    let login = json!({"login": "bob", "password": "bobs-long-password"});
    let (_, tokens) = api.call("POST", "/api/v1/auth/login", None, Some(login)).await;
    let access = tokens["data"]["access_token"].as_str().unwrap().to_owned();
    let (_, created) = api.post("/api/v1/identities/bob/api-keys", json!({"name": "laptop"})).await;
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    for credential in [&access, &key] {
        assert_eq!(api.call("GET", "/api/v1/auth/me", Some(credential), None).await.0, StatusCode::OK);
    }

    // Bob changes his password: the old access token and the API key stop working at once.
    let change = json!({"current_password": "bobs-long-password", "new_password": "bobs-newer-password"});
    let (status, fresh) = api.call("POST", "/api/v1/auth/password", Some(&access), Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    for credential in [&access, &key] {
        let result = api.call("GET", "/api/v1/auth/me", Some(credential), None).await;
        assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let fresh_access = fresh["data"]["access_token"].as_str().unwrap().to_owned();
    assert_eq!(api.call("GET", "/api/v1/auth/me", Some(&fresh_access), None).await.0, StatusCode::OK);
    assert_eq!(api.get("/api/v1/identities/bob/api-keys").await.1["data"], json!([]));

    // An administrator disables him: the fresh pair dies too, and stays dead once he is back.
    let (_, created) = api.post("/api/v1/identities/bob/api-keys", json!({"name": "laptop"})).await;
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    let disable = json!({"enabled": false});
    assert_eq!(api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(disable)).await.0, StatusCode::OK);
    let enable = json!({"enabled": true});
    assert_eq!(api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(enable)).await.0, StatusCode::OK);
    for credential in [&fresh_access, &key] {
        let result = api.call("GET", "/api/v1/auth/me", Some(credential), None).await;
        let message = assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(message.contains("revoked") || message.contains("unknown"), "{message}");
    }
    let refresh = json!({"refresh_token": fresh["data"]["refresh_token"]});
    assert_error(
        &api.call("POST", "/api/v1/auth/refresh", None, Some(refresh)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let login = json!({"login": "bob", "password": "bobs-newer-password"});
    let (status, again) = api.call("POST", "/api/v1/auth/login", None, Some(login)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let again = again["data"]["access_token"].as_str().unwrap();
    assert_eq!(api.call("GET", "/api/v1/auth/me", Some(again), None).await.0, StatusCode::OK, "a new login works");
}
