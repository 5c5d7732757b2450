//! Listing and downloading execution artifacts: reached only through their execution,
//! allowed by `view` on `artifact` in the pack of the execution's action, and served so
//! that a browser never renders them in the API's origin.

use attune_domain::Id;
use attune_domain::artifact::NewArtifact;
use attune_domain::status::{ArtifactType, KeyOwnerType, RetentionPolicyType};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{TestApi, assert_error, register_vault_pack};

const PAGE: &str = "<html><script>fetch('/api/v1/identities')</script></html>";

async fn execution_of(api: &TestApi, action: &str, parameters: Value) -> Id {
    let (status, created) =
        api.post(&format!("/api/v1/actions/{action}/execute"), json!({"parameters": parameters})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"]["id"].as_i64().unwrap()
}

/// Stores an artifact of `execution` as the worker does.
async fn stored(
    api: &TestApi,
    execution: Id,
    name: &str,
    kind: ArtifactType,
    data: Value,
    content: Option<&[u8]>,
) -> Id {
    let artifact = NewArtifact {
        r#ref: name.into(),
        scope: KeyOwnerType::Action,
        owner: "test".into(),
        artifact_type: kind,
        retention_policy: RetentionPolicyType::Days,
        retention_limit: 30,
        execution: Some(execution),
        data,
        content: content.map(<[u8]>::to_vec),
        file: None,
    };
    api.platform.store.create_artifact(&artifact).await.unwrap().id
}

async fn file(api: &TestApi, execution: Id, name: &str, media_type: &str, bytes: &[u8]) -> Id {
    let data = json!({"name": name, "media_type": media_type, "size_bytes": bytes.len()});
    stored(api, execution, name, ArtifactType::FileText, data, Some(bytes)).await
}

async fn link(api: &TestApi, execution: Id, name: &str, url: &str) -> Id {
    stored(api, execution, name, ArtifactType::Url, json!({"name": name, "url": url}), None).await
}

/// Status, headers and raw body of a GET with `token`.
async fn download(api: &TestApi, path: &str, token: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let request = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn artifacts_are_listed_and_downloaded_as_attachments() {
    let api = TestApi::start().await;
    let id = execution_of(&api, "core.noop", json!({})).await;
    let page = file(&api, id, "report.html", "text/html", PAGE.as_bytes()).await;
    let docs = link(&api, id, "docs", "https://example.com/runs/1").await;

    let (status, listed) = api.get(&format!("/api/v1/executions/{id}/artifacts")).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["pagination"]["total"], 2);
    let newest = &listed["data"][0];
    assert_eq!(
        (newest["id"].as_i64(), newest["name"].as_str(), newest["artifact_type"].as_str(), newest["url"].as_str()),
        (Some(docs), Some("docs"), Some("url"), Some("https://example.com/runs/1"))
    );
    assert!(newest.get("download").is_none(), "a link has nothing to download: {newest}");
    let oldest = &listed["data"][1];
    assert_eq!(oldest["media_type"], "text/html");
    assert_eq!(oldest["size_bytes"], PAGE.len());
    let path = format!("/api/v1/executions/{id}/artifacts/{page}");
    assert_eq!(oldest["download"], path.as_str());

    let (status, headers, body) = download(&api, &path, &api.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, PAGE.as_bytes());
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(header("content-type"), "text/html");
    assert!(header("content-disposition").starts_with("attachment; filename=\"report.html\""));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").starts_with("sandbox"), "never rendered as a page of the API's origin");

    let link_download = api.get(&format!("/api/v1/executions/{id}/artifacts/{docs}")).await;
    assert_error(&link_download, StatusCode::NOT_FOUND, "not_found");
    assert_error(&api.get("/api/v1/executions/424242/artifacts").await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn an_artifact_is_reached_only_through_its_own_execution_and_pack() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let core = execution_of(&api, "core.noop", json!({})).await;
    let vault = execution_of(&api, "vault.login", json!({"user": "u", "password": "p4ss"})).await;
    let core_file = file(&api, core, "core.txt", "text/plain", b"core").await;
    let vault_file = file(&api, vault, "vault.txt", "text/plain", b"vault secrets").await;

    // The id of another execution's artifact, under an execution the caller may see.
    let crossed = download(&api, &format!("/api/v1/executions/{core}/artifacts/{vault_file}"), &api.token).await;
    assert_eq!(crossed.0, StatusCode::NOT_FOUND);
    assert_ne!(crossed.2, b"vault secrets");

    let set = json!({"ref": "core-artifacts", "grants": ["artifact@core:view"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    let reader = api.identity_with("reader", &["core-artifacts"]).await;
    let nobody = api.identity_with("nobody", &[]).await;

    let own = download(&api, &format!("/api/v1/executions/{core}/artifacts/{core_file}"), &reader).await;
    assert_eq!((own.0, own.2.as_slice()), (StatusCode::OK, b"core".as_slice()));
    let (status, listed) = api.call("GET", &format!("/api/v1/executions/{core}/artifacts"), Some(&reader), None).await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (StatusCode::OK, Some(1)));
    for path in
        [format!("/api/v1/executions/{vault}/artifacts"), format!("/api/v1/executions/{vault}/artifacts/{vault_file}")]
    {
        let refused = api.call("GET", &path, Some(&reader), None).await;
        assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    }
    let refused = api.call("GET", &format!("/api/v1/executions/{core}/artifacts"), Some(&nobody), None).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let anonymous = api.call("GET", &format!("/api/v1/executions/{core}/artifacts/{core_file}"), None, None).await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
}
