//! Registering packs through the API with hostile intent: paths outside the packs directory,
//! links out of a pack, a permission set widened by re-registration, a sensor firing another
//! pack's trigger. Each is refused and nothing is stored.

use std::os::unix::fs::symlink;
use std::path::Path;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApi, assert_error};

fn write_pack(dir: &Path, pack_ref: &str, runners_grants: &str) {
    std::fs::create_dir_all(dir.join("actions")).unwrap();
    std::fs::create_dir_all(dir.join("permission_sets")).unwrap();
    std::fs::write(dir.join("pack.yaml"), format!("ref: {pack_ref}\nversion: 1.0.0\n")).unwrap();
    std::fs::write(dir.join("actions/run.yaml"), "runner_type: shell\nentry_point: run.sh\n").unwrap();
    std::fs::write(dir.join("actions/run.sh"), "echo hi\n").unwrap();
    std::fs::write(dir.join("permission_sets/runners.yaml"), format!("grants: {runners_grants}\n")).unwrap();
}

async fn register(api: &TestApi, token: &str, path: impl serde::Serialize) -> (StatusCode, Value) {
    api.call("POST", "/api/v1/packs/register", Some(token), Some(json!({"path": path}))).await
}

async fn assert_not_registered(api: &TestApi, pack_ref: &str) {
    assert_error(&api.get(&format!("/api/v1/packs/{pack_ref}")).await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn only_directories_under_the_packs_directory_are_registered() {
    let api = TestApi::start().await;
    let elsewhere = tempfile::tempdir().unwrap();
    write_pack(&elsewhere.path().join("stray"), "stray", "[]");
    let escape = format!("../{}/stray", elsewhere.path().file_name().unwrap().to_string_lossy());
    let inside = api.dir.path().join("mine");
    write_pack(&inside, "mine", "[]");
    let nested = api.dir.path().join("group");
    std::fs::create_dir_all(&nested).unwrap();
    symlink(elsewhere.path(), nested.join("away")).unwrap();

    for path in [
        elsewhere.path().join("stray").display().to_string(),
        format!("{}/../{escape}", api.dir.path().display()),
        escape.clone(),
        "group/away/stray".into(),
        "/etc".into(),
        ".".into(),
    ] {
        let result = register(&api, &api.token, &path).await;
        let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(message.contains("not a pack directory under the packs directory"), "{path}: {message}");
    }
    assert_not_registered(&api, "stray").await;
    let (status, body) = register(&api, &api.token, "mine").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn links_leaving_a_pack_refuse_it_whole() {
    let api = TestApi::start().await;
    let dir = api.dir.path().join("leaky");
    write_pack(&dir, "leaky", "[]");
    std::fs::remove_file(dir.join("actions/run.sh")).unwrap();
    symlink("/etc/passwd", dir.join("actions/run.sh")).unwrap();
    symlink("../../attune.db", dir.join("actions/db.wasm")).unwrap();
    let result = register(&api, &api.token, "leaky").await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_pack");
    let problems = result.1["error"]["details"]["problems"].as_array().unwrap().clone();
    let files: Vec<&str> = problems.iter().map(|p| p["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["actions/db.wasm", "actions/run.sh"], "{problems:?}");
    assert!(problems[1]["message"].as_str().unwrap().contains("'/etc/passwd', outside the pack"), "{problems:?}");
    assert_not_registered(&api, "leaky").await;

    // The manifest itself, linked from another pack's directory.
    let other = api.dir.path().join("borrower");
    std::fs::create_dir_all(&other).unwrap();
    symlink(dir.join("pack.yaml"), other.join("pack.yaml")).unwrap();
    let result = register(&api, &api.token, "borrower").await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_pack");
}

#[tokio::test]
async fn registering_again_cannot_widen_a_permission_set_beyond_the_registrant() {
    let api = TestApi::start().await;
    let dir = api.dir.path().join("ops");
    write_pack(&dir, "ops", "[{resource: action, pack: ops, verbs: [execute]}]");
    let (status, body) = register(&api, &api.token, "ops").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let editor = api.identity_with("ed", &["editor", "ops.runners"]).await;

    // Ed's held set now grants everything: in place, and from a fresh directory of the same ref.
    let everything = "[{resource: '*', verbs: [view, create, modify, delete, execute, respond]}]";
    write_pack(&dir, "ops", everything);
    let copy = api.dir.path().join("ops-again");
    write_pack(&copy, "ops", everything);
    for path in ["ops", "ops-again"] {
        let result = register(&api, &editor, path).await;
        let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
        assert!(message.contains("would add *:") && message.contains("'ops.runners'"), "{message}");
    }
    let (_, set) = api.get("/api/v1/permission-sets/ops.runners").await;
    assert_eq!(set["data"]["grants"], json!([{"resource": "action", "pack": "ops", "verbs": ["execute"]}]));
    let (_, me) = api.call("GET", "/api/v1/auth/me", Some(&editor), None).await;
    assert!(!me["data"]["grants"].to_string().contains("identity"), "nothing was handed out: {me}");
    let result = api.call("PUT", "/api/v1/identities/ed/permission-sets/admin", Some(&editor), None).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");

    // What the editor holds itself may be added; an administrator may add anything.
    write_pack(
        &dir,
        "ops",
        "[{resource: action, pack: ops, verbs: [view, execute]}, {resource: rule, pack: ops, verbs: [view]}]",
    );
    let (status, body) = register(&api, &editor, "ops").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    write_pack(&dir, "ops", "[{resource: action, pack: ops, verbs: [execute]}, {resource: identity, verbs: [view]}]");
    assert_eq!(register(&api, &api.token, "ops").await.0, StatusCode::OK);

    // A viewer may not register at all.
    let viewer = api.identity_with("vic", &["viewer"]).await;
    assert_error(&register(&api, &viewer, "ops").await, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_sensor_may_only_fire_its_own_packs_triggers() {
    let api = TestApi::start().await;
    let dir = api.dir.path().join("spoof");
    write_pack(&dir, "spoof", "[]");
    std::fs::create_dir_all(dir.join("sensors")).unwrap();
    std::fs::write(dir.join("sensors/watch.py"), "print('{}')\n").unwrap();
    std::fs::write(
        dir.join("sensors/watch.yaml"),
        "runner_type: python\nentry_point: watch.py\ntrigger_types: [core.webhook]\n",
    )
    .unwrap();
    let result = register(&api, &api.token, "spoof").await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_pack");
    let message = result.1["error"]["details"]["problems"][0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("may only fire its own pack's triggers"), "{message}");
    assert_not_registered(&api, "spoof").await;
}
