//! Packs and their components over HTTP.

use crate::support::{TestApi, assert_error, shipped_packs};
use attune_domain::page::PageRequest;
use attune_store::ComponentFilter;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn lists_and_shows_packs_and_components() {
    let api = TestApi::start().await;
    let (status, packs) = api.get("/api/v1/packs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(packs["pagination"], json!({"page": 1, "page_size": 50, "total": 1}));
    assert_eq!(packs["data"][0]["ref"], "core");

    let (_, core) = api.get("/api/v1/packs/core").await;
    assert_eq!(core["data"]["version"], "1.0.0");

    let (_, actions) = api.get("/api/v1/actions?pack=core&page_size=2&page=2").await;
    assert_eq!(actions["pagination"], json!({"page": 2, "page_size": 2, "total": 6}));
    let refs: Vec<&str> = actions["data"].as_array().unwrap().iter().map(|a| a["ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["core.http", "core.local"]);

    let (_, echo) = api.get("/api/v1/actions/core.echo").await;
    assert_eq!(echo["data"]["runner_type"], "shell");
    assert_eq!(echo["data"]["param_schema"]["message"]["required"], true);

    let (_, triggers) = api.get("/api/v1/triggers?pack=core").await;
    assert_eq!(triggers["pagination"]["total"], 4);
    let (_, webhook) = api.get("/api/v1/triggers/core.webhook").await;
    assert_eq!(webhook["data"]["ref"], "core.webhook");

    let (_, sensors) = api.get("/api/v1/sensors?pack=nothing").await;
    assert_eq!(sensors["pagination"]["total"], 0);
    let (_, rules) = api.get("/api/v1/rules").await;
    assert_eq!(rules["data"], json!([]));

    for uri in [
        "/api/v1/packs/nope",
        "/api/v1/actions/core.nope",
        "/api/v1/triggers/x.y",
        "/api/v1/sensors/x.y",
        "/api/v1/rules/x.y",
    ] {
        assert_error(&api.get(uri).await, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn registering_a_pack_with_a_broken_file_names_it_and_stores_nothing() {
    let api = TestApi::start().await;
    let dir = api.dir.path().join("mypack");
    std::fs::create_dir_all(dir.join("actions")).unwrap();
    std::fs::write(dir.join("pack.yaml"), "ref: mypack\nversion: 0.1.0\n").unwrap();
    std::fs::write(dir.join("actions/good.yaml"), "runner_type: shell\nentry_point: good.sh\n").unwrap();
    std::fs::write(dir.join("actions/good.sh"), "echo ok\n").unwrap();
    std::fs::write(dir.join("actions/broken.yaml"), "runner_type: shell\nentry_point: [\n").unwrap();

    let result = api.post("/api/v1/packs/register", json!({"path": dir})).await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_pack");
    assert!(message.contains("actions/broken.yaml"), "{message}");
    assert_eq!(result.1["error"]["details"]["problems"][0]["file"], "actions/broken.yaml");
    assert_error(&api.get("/api/v1/packs/mypack").await, StatusCode::NOT_FOUND, "not_found");
    let stored = api
        .platform
        .store
        .list_actions(&ComponentFilter { pack: Some("mypack".into()) }, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(stored.total, 0, "nothing half-written");

    std::fs::remove_file(dir.join("actions/broken.yaml")).unwrap();
    let (status, registered) = api.post("/api/v1/packs/register", json!({"path": dir})).await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    assert_eq!(registered["data"]["pack"]["ref"], "mypack");
    assert_eq!(registered["data"]["summary"]["created"], 1);

    let (status, _) = api.call("DELETE", "/api/v1/packs/mypack", Some(&api.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(&api.get("/api/v1/actions/mypack.good").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &api.call("DELETE", "/api/v1/packs/mypack", Some(&api.token), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn registration_paths_are_validated() {
    let api = TestApi::start().await;
    let result = api.post("/api/v1/packs/register", json!({"path": "/definitely/not/here"})).await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(message.contains("not a pack directory under the packs directory"), "{message}");
    assert_eq!(result.1["error"]["details"]["fields"][0]["field"], "path");
    let result = api.post("/api/v1/packs/register", json!({"path": ""})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // A pack an administrator linked into the packs directory is registered again, by its
    // name there; idempotently.
    std::os::unix::fs::symlink(shipped_packs().join("core"), api.dir.path().join("core")).unwrap();
    let (status, again) = api.post("/api/v1/packs/register", json!({"path": "core"})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["data"]["summary"]["created"], 0);
}

/// The archive of a one-action pack `pack_ref` at `version`, written under `root`.
fn archive_of(root: &std::path::Path, pack_ref: &str, version: &str) -> Vec<u8> {
    let dir = root.join(format!("{pack_ref}-{version}"));
    std::fs::create_dir_all(dir.join("actions")).unwrap();
    std::fs::write(dir.join("pack.yaml"), format!("ref: {pack_ref}\nversion: {version}\n")).unwrap();
    std::fs::write(dir.join("actions/hello.yaml"), "runner_type: shell\nentry_point: hello.sh\n").unwrap();
    std::fs::write(dir.join("actions/hello.sh"), "echo hello\n").unwrap();
    attune_packs::archive::write(&dir, pack_ref, version, Vec::new()).unwrap().bytes
}

async fn upload(api: &TestApi, token: &str, archive: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/packs")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(archive))
        .unwrap();
    api.send(request).await
}

#[tokio::test]
async fn an_archive_installs_only_what_its_uploader_may_author() {
    let api = TestApi::start().await;
    let scratch = tempfile::tempdir().unwrap();
    let (status, body) = upload(&api, &api.token, archive_of(scratch.path(), "vault", "1.0.0")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let set = json!({"ref": "vault-authors", "grants": ["pack@vault:view,modify"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    let author = api.identity_with("vera", &["vault-authors"]).await;

    let (status, body) = upload(&api, &author, archive_of(scratch.path(), "vault", "1.1.0")).await;
    assert_eq!(status, StatusCode::CREATED, "its own pack: {body}");
    assert_eq!(body["data"]["pack"]["version"], "1.1.0");
    // Another installed pack, under its ref: refused, and core is left as it was.
    let core_before = api.get("/api/v1/packs/core").await.1;
    let refused = upload(&api, &author, archive_of(scratch.path(), "core", "9.0.0")).await;
    assert_eq!(assert_error(&refused, StatusCode::FORBIDDEN, "forbidden"), "needs modify on pack core");
    assert_eq!(api.get("/api/v1/packs/core").await.1, core_before);
    // A new pack needs `pack:create`.
    let refused = upload(&api, &author, archive_of(scratch.path(), "fresh", "1.0.0")).await;
    assert_eq!(assert_error(&refused, StatusCode::FORBIDDEN, "forbidden"), "needs create on pack");
    assert_error(&api.get("/api/v1/packs/fresh").await, StatusCode::NOT_FOUND, "not_found");
}
