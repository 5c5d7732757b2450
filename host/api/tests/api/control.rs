//! Execution control over HTTP: re-runs with overridden parameters, cancels that reach
//! everything an execution started, filters and counts.

use attune_services::executions::{self, ExecutionRequest};
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error, register_vault_pack};

#[tokio::test]
async fn a_rerun_may_override_some_parameters() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let (_, created) =
        api.post("/api/v1/actions/vault.login/execute", json!({"parameters": {"user": "u", "password": "p4ss"}})).await;
    let id = created["data"]["id"].as_i64().unwrap();

    let (status, rerun) = api
        .post(&format!("/api/v1/executions/{id}/rerun"), json!({"parameters": {"user": "root", "retries": 5}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rerun}");
    let stored = api.platform.store.get_execution(rerun["data"]["id"].as_i64().unwrap()).await.unwrap();
    let clear = attune_services::secret_params::unseal(&stored.parameters, ["password"], &api.platform.cipher).unwrap();
    assert_eq!(clear, json!({"user": "root", "password": "p4ss", "retries": 5}), "the rest is kept");

    // No body at all: the same parameters.
    let (status, same) =
        api.call("POST", &format!("/api/v1/executions/{id}/rerun"), Some(&api.token.clone()), None).await;
    assert_eq!(status, StatusCode::CREATED, "{same}");

    // Overrides are checked like any request.
    let bad = api.post(&format!("/api/v1/executions/{id}/rerun"), json!({"parameters": {"retries": "many"}})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = api.post(&format!("/api/v1/executions/{id}/rerun"), json!({"parameters": [1]})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = api.post(&format!("/api/v1/executions/{id}/rerun"), json!({"params": {}})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn cancelling_an_execution_cancels_everything_it_started() {
    let api = TestApi::start().await;
    let request = |parent| ExecutionRequest {
        action_ref: "core.noop".into(),
        parameters: json!({}),
        parent,
        ..ExecutionRequest::default()
    };
    let root = executions::request(&api.platform, request(None)).await.unwrap();
    let child = executions::request(&api.platform, request(Some(root.id))).await.unwrap();
    let grandchild = executions::request(&api.platform, request(Some(child.id))).await.unwrap();
    let done = executions::request(&api.platform, request(Some(root.id))).await.unwrap();
    executions::cancel(&api.platform, done.id).await.unwrap();

    let (status, cancelled) = api.post(&format!("/api/v1/executions/{}/cancel", root.id), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    for id in [root.id, child.id, grandchild.id, done.id] {
        let execution = api.platform.store.get_execution(id).await.unwrap();
        assert_eq!(execution.status.as_str(), "cancelled", "execution {id}");
    }
}

#[tokio::test]
async fn executions_are_filtered_by_enforcement_and_worker_and_counted() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    for _ in 0..2 {
        api.post("/api/v1/actions/core.noop/execute", json!({})).await;
    }
    let (_, login) =
        api.post("/api/v1/actions/vault.login/execute", json!({"parameters": {"user": "u", "password": "p"}})).await;
    api.post(&format!("/api/v1/executions/{}/cancel", login["data"]["id"]), json!({})).await;

    let (status, stats) = api.get("/api/v1/executions/stats?window_s=3600").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let stats = &stats["data"];
    assert_eq!(stats["total"], 3);
    assert_eq!(stats["by_status"], json!({"requested": 2, "cancelled": 1}));
    assert_eq!(
        stats["by_action"],
        json!([
            {"action_ref": "core.noop", "total": 2, "by_status": {"requested": 2}},
            {"action_ref": "vault.login", "total": 1, "by_status": {"cancelled": 1}},
        ])
    );
    assert_error(&api.get("/api/v1/executions/stats?window_s=0").await, StatusCode::BAD_REQUEST, "invalid_query");

    // Nothing here ran on a worker or came from a rule.
    let (_, by_worker) = api.get("/api/v1/executions?worker=1").await;
    assert_eq!(by_worker["pagination"]["total"], 0);
    let (_, by_enforcement) = api.get("/api/v1/executions?enforcement=1").await;
    assert_eq!(by_enforcement["pagination"]["total"], 0);
    let (_, all) = api.get("/api/v1/executions").await;
    assert_eq!(all["pagination"]["total"], 3);
    assert_error(&api.get("/api/v1/executions?worker=w").await, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn an_execution_can_be_requested_for_later_and_cancelled_meanwhile() {
    let api = TestApi::start().await;
    let hints = api.bus.depth(&attune_bus::Queue::Executor);
    let (status, created) = api.post("/api/v1/actions/core.noop/execute", json!({"delay_s": 3600})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["status"], "delayed");
    let run_after = chrono::DateTime::parse_from_rfc3339(created["data"]["run_after"].as_str().unwrap()).unwrap();
    let ahead = run_after.to_utc() - chrono::Utc::now();
    assert!((3590..=3600).contains(&ahead.num_seconds()), "{ahead}");
    assert_eq!(api.bus.depth(&attune_bus::Queue::Executor), hints, "nobody is told before its time");

    let (_, cancelled) = api.post(&format!("/api/v1/executions/{}/cancel", created["data"]["id"]), json!({})).await;
    assert_eq!(cancelled["data"]["status"], "cancelled");

    let too_late = api.post("/api/v1/executions", json!({"action_ref": "core.noop", "delay_s": 31 * 86_400})).await;
    assert_error(&too_late, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let negative = api.post("/api/v1/executions", json!({"action_ref": "core.noop", "delay_s": -5})).await;
    assert_error(&negative, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}
