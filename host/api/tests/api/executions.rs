//! Executions over HTTP: requests are validated, secrets sealed and masked, hints published;
//! listing, cancelling, re-running and reading output. No executor runs here: the pipeline
//! itself is tested with real workers elsewhere.

use attune_bus::Queue;
use attune_domain::MASK;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{TestApi, assert_error, register_vault_pack};

#[tokio::test]
async fn requests_are_validated_sealed_masked_and_announced() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let (status, created) = api
        .post(
            "/api/v1/executions",
            json!({"action_ref": "vault.login", "parameters": {"user": "ann", "password": "hunter2"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let execution = &created["data"];
    assert_eq!(execution["status"], "requested");
    assert_eq!(execution["parameters"], json!({"user": "ann", "password": MASK, "retries": 3}));
    assert_eq!(execution["action_ref"], "vault.login");
    assert_eq!(execution["runner_type"], "shell");
    assert!(execution.get("config").is_none(), "the stored action snapshot is the worker's, never shown: {execution}");
    assert_eq!(api.bus.depth(&Queue::Executor), 1, "the executors were told");

    let id = execution["id"].as_i64().unwrap();
    let stored = api.platform.store.get_execution(id).await.unwrap();
    let at_rest = stored.parameters.to_string();
    assert!(!at_rest.contains("hunter2"), "{at_rest}");
    assert!(stored.parameters["password"].as_str().unwrap().starts_with("v1:"));

    let (_, shown) = api.get(&format!("/api/v1/executions/{id}")).await;
    assert_eq!(shown["data"]["parameters"]["password"], MASK);
    let (_, listed) = api.get("/api/v1/executions").await;
    assert!(!listed.to_string().contains("hunter2"));
}

#[tokio::test]
async fn invalid_requests_name_every_field() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let result =
        api.post("/api/v1/actions/vault.login/execute", json!({"parameters": {"retries": "x", "colour": 1}})).await;
    let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> = result.1["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["colour", "password", "retries", "user"], "{message}");

    let result = api.post("/api/v1/executions", json!({"action_ref": "vault.nope"})).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(result.1["error"]["details"]["fields"][0]["field"], "action_ref");
    assert_error(&api.post("/api/v1/actions/vault.nope/execute", json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &api.post("/api/v1/executions", json!({"action": "core.noop"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_eq!(api.bus.depth(&Queue::Executor), 0, "nothing was announced");
    assert_eq!(api.get("/api/v1/executions").await.1["pagination"]["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn lists_filter_and_paginate() {
    let api = TestApi::start().await;
    for _ in 0..3 {
        api.post("/api/v1/actions/core.noop/execute", json!({})).await;
    }
    let (_, echo) = api.post("/api/v1/actions/core.echo/execute", json!({"parameters": {"message": "hi"}})).await;
    let echo_id = echo["data"]["id"].as_i64().unwrap();
    api.post(&format!("/api/v1/executions/{echo_id}/cancel"), json!({})).await;

    let (_, page) = api.get("/api/v1/executions?page_size=2").await;
    assert_eq!(page["pagination"], json!({"page": 1, "page_size": 2, "total": 4}));
    assert_eq!(page["data"][0]["id"], echo_id, "newest first");
    let (_, noops) = api.get("/api/v1/executions?action_ref=core.noop").await;
    assert_eq!(noops["pagination"]["total"], 3);
    let (_, cancelled) = api.get("/api/v1/executions?status=cancelled,failed").await;
    assert_eq!(cancelled["pagination"]["total"], 1);
    let (_, recent) = api.get("/api/v1/executions?since=2000-01-01T00:00:00Z").await;
    assert_eq!(recent["pagination"]["total"], 4);
    let (_, future) = api.get("/api/v1/executions?since=2999-01-01T00:00:00%2B00:00").await;
    assert_eq!(future["pagination"]["total"], 0);

    assert_error(&api.get("/api/v1/executions?status=sleeping").await, StatusCode::BAD_REQUEST, "invalid_query");
    assert_error(&api.get("/api/v1/executions?since=yesterday").await, StatusCode::BAD_REQUEST, "invalid_query");
    assert_error(&api.get("/api/v1/executions/999999").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&api.get("/api/v1/executions/abc").await, StatusCode::BAD_REQUEST, "invalid_path");
}

#[tokio::test]
async fn cancel_before_start_and_rerun() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let (_, created) =
        api.post("/api/v1/actions/vault.login/execute", json!({"parameters": {"user": "u", "password": "p4ss"}})).await;
    let id = created["data"]["id"].as_i64().unwrap();

    let (status, cancelled) = api.post(&format!("/api/v1/executions/{id}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["data"]["status"], "cancelled");
    assert_eq!(cancelled["data"]["result"]["error"]["kind"], "cancelled");
    assert!(cancelled["data"]["finished"].is_string());
    let again = api.post(&format!("/api/v1/executions/{id}/cancel"), json!({})).await;
    assert_error(&again, StatusCode::CONFLICT, "conflict");

    let (status, rerun) = api.post(&format!("/api/v1/executions/{id}/rerun"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let new_id = rerun["data"]["id"].as_i64().unwrap();
    assert_ne!(new_id, id);
    assert_eq!(rerun["data"]["status"], "requested");
    assert_eq!(rerun["data"]["parameters"]["password"], MASK);
    let stored = api.platform.store.get_execution(new_id).await.unwrap();
    let clear = attune_services::secret_params::unseal(&stored.parameters, ["password"], &api.platform.cipher).unwrap();
    assert_eq!(clear["password"], "p4ss", "the same parameters, sealed anew");
}

#[tokio::test]
async fn output_pages_and_follows() {
    let api = TestApi::start().await;
    let (_, created) = api.post("/api/v1/actions/core.noop/execute", json!({})).await;
    let id = created["data"]["id"].as_i64().unwrap();
    let lines: Vec<(String, String)> = (1..=5).map(|i| ("stdout".to_string(), format!("line {i}"))).collect();
    api.platform.store.append_output(id, &lines).await.unwrap();

    let (_, first) = api.get(&format!("/api/v1/executions/{id}/output?limit=2")).await;
    assert_eq!(first["data"]["next"], 2);
    assert_eq!(first["data"]["lines"][1]["text"], "line 2");
    let (_, rest) = api.get(&format!("/api/v1/executions/{id}/output?after=2")).await;
    assert_eq!(rest["data"]["lines"].as_array().unwrap().len(), 3);
    assert_eq!(rest["data"]["status"], "requested");

    // Following an execution that has ended returns every line and the end, then closes.
    api.post(&format!("/api/v1/executions/{id}/cancel"), json!({})).await;
    let request = Request::builder()
        .uri(format!("/api/v1/executions/{id}/output?follow=true&after=3"))
        .header("authorization", format!("Bearer {}", api.token))
        .body(Body::empty())
        .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let objects: Vec<Value> =
        String::from_utf8_lossy(&body).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 3, "{objects:?}");
    assert_eq!(objects[0]["text"], "line 4");
    assert_eq!(objects[2]["status"], "cancelled");

    assert_error(&api.get("/api/v1/executions/424242/output").await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn children_workers_and_runtimes() {
    let api = TestApi::start().await;
    let (_, parent) = api.post("/api/v1/actions/core.noop/execute", json!({})).await;
    let parent_id = parent["data"]["id"].as_i64().unwrap();
    let child = attune_services::executions::ExecutionRequest {
        action_ref: "core.noop".into(),
        parent: Some(parent_id),
        ..Default::default()
    };
    attune_services::executions::request(&api.platform, child).await.unwrap();
    let (_, children) = api.get(&format!("/api/v1/executions/{parent_id}/children")).await;
    assert_eq!(children["pagination"]["total"], 1);
    let (_, filtered) = api.get(&format!("/api/v1/executions?parent={parent_id}")).await;
    assert_eq!(filtered["pagination"]["total"], 1);

    let (_, runtimes) = api.get("/api/v1/runtimes").await;
    let names: Vec<&str> = runtimes["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"wasm") && names.contains(&"shell"), "{names:?}");
    let (_, workers) = api.get("/api/v1/workers").await;
    assert_eq!(workers["pagination"]["total"], 0);
    assert_error(&api.get("/api/v1/workers?status=sleepy").await, StatusCode::BAD_REQUEST, "invalid_query");
}
