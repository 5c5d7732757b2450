//! Artifacts through the real server: a native action's files and link and a WASM action's
//! file are stored when they end, listed and downloaded over HTTP, with the secret the
//! native action wrote masked; a viewer of the pack may download them, an identity without
//! the grant may not.

use serde_json::{Value, json};

use crate::support::{Server, attune, own_packs_dir, register_shell_pack};

const PASSWORD: &str = "artifacts-admin-password";
const TOKEN: &str = "tok-artifact-5ec7e7";

const PUBLISH: &str = r#"cd "$ATTUNE_ARTIFACTS_DIR"
printf 'host,status\nweb-1,up\n' > hosts.csv
printf 'token used: %s\n' "$PARAM_TOKEN" > notes.txt
printf 'https://example.com/runbook\n' > runbook.link
echo '{"ok": true}'
"#;

/// The artifacts of execution `id` by name.
async fn artifacts(server: &Server, token: &str, id: i64) -> Vec<Value> {
    let (status, page) = server.call("GET", &format!("/api/v1/executions/{id}/artifacts"), Some(token), None).await;
    assert_eq!(status, 200, "{page}");
    let mut items = page["data"].as_array().unwrap().clone();
    items.sort_by_key(|item| item["name"].as_str().unwrap().to_owned());
    items
}

async fn download(server: &Server, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = reqwest::Client::new().get(format!("{}{path}", server.url)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, disposition, response.bytes().await.unwrap().to_vec())
}

/// Runs `action` with `parameters` and returns the execution's id once it has completed.
async fn run_to_completion(server: &Server, token: &str, action: &str, parameters: Value) -> i64 {
    let path = format!("/api/v1/actions/{action}/execute");
    let (status, created) = server.call("POST", &path, Some(token), Some(json!({"parameters": parameters}))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    assert_eq!(server.finished(token, id).await["status"], "completed");
    id
}

#[tokio::test]
async fn native_and_wasm_artifacts_are_stored_listed_and_downloaded() {
    let scratch = tempfile::tempdir().unwrap();
    let mut command = attune(&scratch.path().join("data"));
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    let admin = server.login("admin", PASSWORD).await;

    let definition = "parameters:\n  token: {type: string, secret: true, required: true}\n";
    register_shell_pack(&server, &admin, &packs, ("reports", "publish"), definition, PUBLISH).await;
    let native = run_to_completion(&server, &admin, "reports.publish", json!({"token": TOKEN})).await;

    let listed = artifacts(&server, &admin, native).await;
    let summary: Vec<(&str, &str)> =
        listed.iter().map(|a| (a["name"].as_str().unwrap(), a["artifact_type"].as_str().unwrap())).collect();
    assert_eq!(summary, [("hosts.csv", "file_datatable"), ("notes.txt", "file_text"), ("runbook", "url")]);
    assert_eq!(listed[2]["url"], "https://example.com/runbook");
    let (status, disposition, bytes) = download(&server, &admin, listed[0]["download"].as_str().unwrap()).await;
    assert_eq!((status, bytes.as_slice()), (200, b"host,status\nweb-1,up\n".as_slice()));
    assert!(disposition.starts_with("attachment; filename=\"hosts.csv\""), "{disposition}");
    let (_, _, notes) = download(&server, &admin, listed[1]["download"].as_str().unwrap()).await;
    let notes = String::from_utf8(notes).unwrap();
    assert!(notes.starts_with("token used: ") && !notes.contains(TOKEN), "the secret is masked: {notes}");

    let wasm = run_to_completion(&server, &admin, "examples-wasm.report", json!({"title": "nightly"})).await;
    let listed = artifacts(&server, &admin, wasm).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0]["name"].as_str(), listed[0]["media_type"].as_str()),
        (Some("parameters.json"), Some("application/json"))
    );
    let (status, _, bytes) = download(&server, &admin, listed[0]["download"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!({"title": "nightly", "lines": []}));

    // A viewer may read them; an identity without a grant may not.
    for (login, password, sets) in
        [("vera", "viewer-password-1", vec!["viewer"]), ("nora", "nobody-password-1", vec![])]
    {
        let identity = json!({"login": login, "password": password});
        assert_eq!(server.call("POST", "/api/v1/identities", Some(&admin), Some(identity)).await.0, 201);
        for set in sets {
            let path = format!("/api/v1/identities/{login}/permission-sets/{set}");
            assert!(server.call("PUT", &path, Some(&admin), None).await.0 < 300);
        }
    }
    let vera = server.login("vera", "viewer-password-1").await;
    let nora = server.login("nora", "nobody-password-1").await;
    let path = listed[0]["download"].as_str().unwrap();
    assert_eq!(download(&server, &vera, path).await.0, 200);
    let (status, _, body) = download(&server, &nora, path).await;
    assert_eq!(status, 403);
    assert!(!String::from_utf8_lossy(&body).contains("nightly"));
}

#[tokio::test]
async fn with_an_artifact_directory_the_bytes_live_there_and_are_checked_on_download() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("artifact-files");
    let mut command = attune(&scratch.path().join("data"));
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD).env("ATTUNE__ARTIFACTS__DIR", &dir);
    let server = Server::start(command);
    let admin = server.login("admin", PASSWORD).await;

    let id = run_to_completion(&server, &admin, "examples-wasm.report", json!({"title": "kept on disk"})).await;
    let listed = artifacts(&server, &admin, id).await;
    let path = listed[0]["download"].as_str().unwrap();
    let (status, _, bytes) = download(&server, &admin, path).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!({"title": "kept on disk", "lines": []}));

    // One file, named by the SHA-256 of the bytes, private to the server.
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(name.len(), 64, "{name}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), bytes);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);

    // Bytes changed on disk are never served.
    std::fs::write(&files[0], b"<script>alert(1)</script>").unwrap();
    let (status, _, body) = download(&server, &admin, path).await;
    assert_eq!(status, 500);
    assert!(!String::from_utf8_lossy(&body).contains("script"));
}
