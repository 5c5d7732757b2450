//! Identities, service accounts, passwords, permission sets and assignments, and the last
//! administrator, over HTTP.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApi, assert_error};

const BOB_PASSWORD: &str = "bobs-long-password";

async fn login(api: &TestApi, login: &str, password: &str) -> (StatusCode, Value) {
    api.call("POST", "/api/v1/auth/login", None, Some(json!({"login": login, "password": password}))).await
}

async fn create_bob(api: &TestApi) -> Value {
    let body = json!({"login": "bob", "display_name": "Bob", "password": BOB_PASSWORD, "attributes": {"team": "sre"}});
    let (status, created) = api.post("/api/v1/identities", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"].clone()
}

#[tokio::test]
async fn creates_users_and_service_accounts() {
    let api = TestApi::start().await;
    let bob = create_bob(&api).await;
    assert_eq!((bob["login"].as_str(), bob["has_password"].as_bool()), (Some("bob"), Some(true)));
    assert_eq!(bob["attributes"], json!({"team": "sre"}));
    assert!(bob.get("password_hash").is_none() && !bob.to_string().contains(BOB_PASSWORD));
    let (status, tokens) = login(&api, "bob", BOB_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");

    let (status, bot) = api.post("/api/v1/identities", json!({"login": "ci-bot"})).await;
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    assert_eq!(bot["data"]["has_password"], false, "no password: a service account");
    assert_error(&login(&api, "ci-bot", "").await, StatusCode::UNAUTHORIZED, "unauthorized");

    assert_error(&api.post("/api/v1/identities", json!({"login": "bob"})).await, StatusCode::CONFLICT, "conflict");
    let result = api.post("/api/v1/identities", json!({"login": "no spaces"})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let result = api.post("/api/v1/identities", json!({"login": "carol", "password": "short"})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(result.1["error"]["details"]["fields"][0]["field"], "password");
    let result = api.post("/api/v1/identities", json!({"login": "carol", "attributes": []})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_error(&api.get("/api/v1/identities/carol").await, StatusCode::NOT_FOUND, "not_found");

    let (_, listed) = api.get("/api/v1/identities").await;
    let logins: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|i| i["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["admin", "bob", "ci-bot"]);
    let (_, shown) = api.get("/api/v1/identities/admin").await;
    assert_eq!(shown["data"]["permission_sets"], json!(["admin"]));
}

#[tokio::test]
async fn administrators_change_disable_and_delete_identities() {
    let api = TestApi::start().await;
    create_bob(&api).await;
    let (_, tokens) = login(&api, "bob", BOB_PASSWORD).await;
    let bob_access = tokens["data"]["access_token"].as_str().unwrap().to_owned();
    let bob_refresh = tokens["data"]["refresh_token"].as_str().unwrap().to_owned();

    let patch = json!({"display_name": "Robert", "attributes": {"team": "platform"}});
    let (status, changed) = api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(patch)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (changed["data"]["display_name"].as_str(), changed["data"]["attributes"]["team"].as_str()),
        (Some("Robert"), Some("platform"))
    );

    // An administrator sets a password without knowing the old one; sessions end.
    let patch = json!({"password": "a-brand-new-password"});
    assert_eq!(api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(patch)).await.0, StatusCode::OK);
    assert_error(&login(&api, "bob", BOB_PASSWORD).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(login(&api, "bob", "a-brand-new-password").await.0, StatusCode::OK);
    let refreshed = api.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": bob_refresh}))).await;
    assert_error(&refreshed, StatusCode::UNAUTHORIZED, "unauthorized");

    let disable = json!({"enabled": false});
    let (status, disabled) = api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(disable)).await;
    assert_eq!((status, disabled["data"]["enabled"].as_bool()), (StatusCode::OK, Some(false)));
    assert_error(
        &api.call("GET", "/api/v1/auth/me", Some(&bob_access), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(&login(&api, "bob", "a-brand-new-password").await, StatusCode::UNAUTHORIZED, "unauthorized");

    let result = api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(json!({"password": "x"}))).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let result = api.call("PATCH", "/api/v1/identities/nobody", Some(&api.token), Some(json!({"enabled": true}))).await;
    assert_error(&result, StatusCode::NOT_FOUND, "not_found");

    assert_eq!(api.call("DELETE", "/api/v1/identities/bob", Some(&api.token), None).await.0, StatusCode::NO_CONTENT);
    assert_error(&api.get("/api/v1/identities/bob").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &api.call("DELETE", "/api/v1/identities/bob", Some(&api.token), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn callers_change_their_own_password() {
    let api = TestApi::start().await;
    create_bob(&api).await;
    let (_, tokens) = login(&api, "bob", BOB_PASSWORD).await;
    let access = tokens["data"]["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["data"]["refresh_token"].as_str().unwrap().to_owned();
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let result = api
        .call("POST", "/api/v1/auth/password", Some(&access), Some(change("wrong-password!", "another-long-one")))
        .await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "the current password is wrong");
    let result = api.call("POST", "/api/v1/auth/password", Some(&access), Some(change(BOB_PASSWORD, "short"))).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(result.1["error"]["details"]["fields"][0]["field"], "new_password");
    let result =
        api.call("POST", "/api/v1/auth/password", Some(&access), Some(change(BOB_PASSWORD, BOB_PASSWORD))).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let (status, fresh) =
        api.call("POST", "/api/v1/auth/password", Some(&access), Some(change(BOB_PASSWORD, "another-long-one"))).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert!(fresh["data"]["refresh_token"].is_string(), "a fresh pair for the caller");
    assert_error(&login(&api, "bob", BOB_PASSWORD).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(login(&api, "bob", "another-long-one").await.0, StatusCode::OK);
    let result = api.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh}))).await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
    let fresh_refresh = fresh["data"]["refresh_token"].as_str().unwrap();
    let result = api.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": fresh_refresh}))).await;
    assert_eq!(result.0, StatusCode::OK, "the new session lives on: {}", result.1);

    let bot = api.identity_with("ci-bot", &["viewer"]).await;
    let result = api
        .call("POST", "/api/v1/auth/password", Some(&bot), Some(change("anything-at-all", "another-long-one")))
        .await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn the_last_administrator_is_kept() {
    let api = TestApi::start().await;
    let delete = async |uri: &str| api.call("DELETE", uri, Some(&api.token), None).await;
    let disable = async |login: &str| {
        let uri = format!("/api/v1/identities/{login}");
        api.call("PATCH", &uri, Some(&api.token), Some(json!({"enabled": false}))).await
    };
    assert_error(&delete("/api/v1/identities/admin").await, StatusCode::CONFLICT, "conflict");
    assert_error(&delete("/api/v1/identities/admin/permission-sets/admin").await, StatusCode::CONFLICT, "conflict");
    assert_error(&disable("admin").await, StatusCode::CONFLICT, "conflict");
    let (_, admin) = api.get("/api/v1/identities/admin").await;
    assert_eq!(
        (admin["data"]["enabled"].as_bool(), admin["data"]["permission_sets"].clone()),
        (Some(true), json!(["admin"]))
    );

    // A disabled administrator does not count; an enabled second one does.
    create_bob(&api).await;
    let put = async |uri: &str| api.call("PUT", uri, Some(&api.token), None).await;
    assert_eq!(put("/api/v1/identities/bob/permission-sets/admin").await.0, StatusCode::NO_CONTENT);
    assert_eq!(disable("bob").await.0, StatusCode::OK);
    assert_error(&delete("/api/v1/identities/admin").await, StatusCode::CONFLICT, "conflict");
    let enable = json!({"enabled": true});
    assert_eq!(api.call("PATCH", "/api/v1/identities/bob", Some(&api.token), Some(enable)).await.0, StatusCode::OK);
    assert_eq!(delete("/api/v1/identities/admin/permission-sets/admin").await.0, StatusCode::NO_CONTENT);

    // Now bob is the last one, and cannot drop it either.
    let (_, tokens) = login(&api, "bob", BOB_PASSWORD).await;
    let bob = tokens["data"]["access_token"].as_str().unwrap().to_owned();
    let result = api.call("DELETE", "/api/v1/identities/bob/permission-sets/admin", Some(&bob), None).await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");
    let result = api.call("DELETE", "/api/v1/identities/bob", Some(&bob), None).await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");
    assert_eq!(api.call("DELETE", "/api/v1/identities/admin", Some(&bob), None).await.0, StatusCode::NO_CONTENT);
    let (_, me) = api.call("GET", "/api/v1/auth/me", Some(&bob), None).await;
    assert_eq!(me["data"]["permission_sets"], json!(["admin"]));
}

#[tokio::test]
async fn permission_sets_are_assigned_without_handing_out_more_than_one_holds() {
    let api = TestApi::start().await;
    create_bob(&api).await;
    let put = async |uri: &str, token: &str| api.call("PUT", uri, Some(token), None).await;
    assert_eq!(put("/api/v1/identities/bob/permission-sets/viewer", &api.token).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        put("/api/v1/identities/bob/permission-sets/viewer", &api.token).await.0,
        StatusCode::NO_CONTENT,
        "idempotent"
    );
    let (_, sets) = api.get("/api/v1/identities/bob/permission-sets").await;
    assert_eq!(
        sets["data"].as_array().unwrap().iter().map(|s| s["ref"].clone()).collect::<Vec<_>>(),
        [json!("viewer")]
    );
    assert_eq!(api.get("/api/v1/identities/bob/permission-sets/viewer").await.0, StatusCode::OK);
    assert_error(&api.get("/api/v1/identities/bob/permission-sets/editor").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &put("/api/v1/identities/bob/permission-sets/nope", &api.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &put("/api/v1/identities/nobody/permission-sets/viewer", &api.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let delete = api.call("DELETE", "/api/v1/identities/bob/permission-sets/viewer", Some(&api.token), None).await;
    assert_eq!(delete.0, StatusCode::NO_CONTENT);
    let delete = api.call("DELETE", "/api/v1/identities/bob/permission-sets/viewer", Some(&api.token), None).await;
    assert_error(&delete, StatusCode::NOT_FOUND, "not_found");

    // A help desk may manage identities, but not make anyone (itself included) an admin.
    let set = json!({"ref": "helpdesk", "grants": ["identity:view,modify", "*:view"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    let helpdesk = api.identity_with("hal", &["helpdesk"]).await;
    let result = put("/api/v1/identities/hal/permission-sets/admin", &helpdesk).await;
    let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
    assert!(message.starts_with("cannot hand out *:"), "{message}");
    assert_error(
        &put("/api/v1/identities/bob/permission-sets/operator", &helpdesk).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(put("/api/v1/identities/bob/permission-sets/viewer", &helpdesk).await.0, StatusCode::NO_CONTENT);
    let result =
        api.call("POST", "/api/v1/permission-sets", Some(&helpdesk), Some(json!({"ref": "x", "grants": []}))).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs create on permission_set");
}

#[tokio::test]
async fn custom_permission_sets_are_managed_and_others_are_read_only() {
    let api = TestApi::start().await;
    let set = json!({
        "ref": "auditors",
        "label": "Auditors",
        "grants": ["execution:view", {"resource": "key", "pack": "core", "verbs": ["view"]}],
    });
    let (status, created) = api.post("/api/v1/permission-sets", set.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["data"]["grants"],
        json!([{"resource": "execution", "verbs": ["view"]}, {"resource": "key", "pack": "core", "verbs": ["view"]}])
    );
    assert_error(&api.post("/api/v1/permission-sets", set).await, StatusCode::CONFLICT, "conflict");
    for (body, field) in [
        (json!({"ref": "bad", "grants": ["spaceship:view"]}), "grants[0]"),
        (json!({"ref": "bad", "grants": ["action:fly"]}), "grants[0]"),
        (json!({"ref": "bad", "grants": [{"resource": "action", "verbs": []}]}), "grants[0]"),
        (json!({"ref": "core.mine", "grants": []}), "ref"),
        (json!({"grants": []}), "ref"),
    ] {
        let result = api.post("/api/v1/permission-sets", body).await;
        assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(result.1["error"]["details"]["fields"][0]["field"], field, "{}", result.1);
    }

    let replaced = json!({"description": "Reads history", "grants": ["execution:view", "event:view"]});
    let (status, body) = api.call("PUT", "/api/v1/permission-sets/auditors", Some(&api.token), Some(replaced)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["data"]["label"].as_str(), body["data"]["grants"][1]["resource"].as_str()),
        (Some("auditors"), Some("event"))
    );
    let mismatch = json!({"ref": "other", "grants": []});
    let result = api.call("PUT", "/api/v1/permission-sets/auditors", Some(&api.token), Some(mismatch)).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let result = api.call("PUT", "/api/v1/permission-sets/nope", Some(&api.token), Some(json!({"grants": []}))).await;
    assert_error(&result, StatusCode::NOT_FOUND, "not_found");

    for builtin in ["admin", "viewer"] {
        let uri = format!("/api/v1/permission-sets/{builtin}");
        let result = api.call("PUT", &uri, Some(&api.token), Some(json!({"grants": []}))).await;
        assert_error(&result, StatusCode::CONFLICT, "conflict");
        assert_error(&api.call("DELETE", &uri, Some(&api.token), None).await, StatusCode::CONFLICT, "conflict");
    }

    // A pack's sets change with the pack.
    let dir = api.dir.path().join("ops");
    std::fs::create_dir_all(dir.join("permission_sets")).unwrap();
    std::fs::write(dir.join("pack.yaml"), "ref: ops\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        dir.join("permission_sets/runners.yaml"),
        "grants:\n  - {resource: action, pack: ops, verbs: [execute]}\n",
    )
    .unwrap();
    let (status, body) = api.post("/api/v1/packs/register", json!({"path": dir.display().to_string()})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, set) = api.get("/api/v1/permission-sets/ops.runners").await;
    assert_eq!((status, set["data"]["pack_ref"].as_str()), (StatusCode::OK, Some("ops")));
    let result =
        api.call("PUT", "/api/v1/permission-sets/ops.runners", Some(&api.token), Some(json!({"grants": []}))).await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");
    let result = api.call("DELETE", "/api/v1/permission-sets/ops.runners", Some(&api.token), None).await;
    assert_error(&result, StatusCode::CONFLICT, "conflict");

    let auditor = api.identity_with("ada", &["auditors"]).await;
    assert_eq!(api.call("GET", "/api/v1/events", Some(&auditor), None).await.0, StatusCode::OK);
    assert_eq!(
        api.call("DELETE", "/api/v1/permission-sets/auditors", Some(&api.token), None).await.0,
        StatusCode::NO_CONTENT
    );
    let result = api.call("GET", "/api/v1/events", Some(&auditor), None).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&api.get("/api/v1/permission-sets/auditors").await, StatusCode::NOT_FOUND, "not_found");
}
