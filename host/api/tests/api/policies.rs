//! Policies over the API: created, replaced and deleted like rules, checked like pack
//! files, guarded by grants in both the policy's and its action's pack; an action's queue.

use attune_services::lifecycle::Lifecycle;
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error};

#[tokio::test]
async fn a_policy_is_created_replaced_listed_and_deleted() {
    let api = TestApi::start().await;
    let body = json!({"ref": "core.one_echo", "action": "core.echo", "type": "concurrency", "threshold": 1});
    let (status, created) = api.post("/api/v1/policies", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (created["data"]["method"].clone(), created["data"]["from_pack"].clone()),
        (json!("enqueue"), json!(false))
    );

    let replaced = json!({"action": "core.echo", "type": "retry", "count": 3, "delay_s": 2, "backoff": "exponential",
                          "max_delay_s": 30});
    let (status, body) = api.call("PUT", "/api/v1/policies/core.one_echo", Some(&api.token), Some(replaced)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["settings"],
        json!({"delay_s": 2, "on": ["failed", "timeout"], "backoff": "exponential", "max_delay_s": 30})
    );
    let (_, listed) = api.get("/api/v1/policies?action=core.echo").await;
    assert_eq!(listed["pagination"]["total"], 1);

    // Registering the pack again keeps what the API made.
    attune_packs::register_pack(api.platform.store.as_ref(), &crate::support::shipped_packs().join("core"))
        .await
        .unwrap();
    let (status, _) = api.get("/api/v1/policies/core.one_echo").await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = api.call("DELETE", "/api/v1/policies/core.one_echo", Some(&api.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(&api.get("/api/v1/policies/core.one_echo").await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_bad_policy_is_refused_naming_the_field() {
    let api = TestApi::start().await;
    let cases = [
        (json!({"ref": "core.p", "action": "core.echo", "type": "concurrency"}), "threshold"),
        (
            json!({"ref": "core.p", "action": "core.echo", "type": "concurrency", "threshold": 1, "window_s": 5}),
            "window_s",
        ),
        (json!({"ref": "core.p", "action": "core.nope", "type": "concurrency", "threshold": 1}), "action"),
        (
            json!({"ref": "core.p", "action": "core.echo", "type": "concurrency", "threshold": 1, "parameters": ["host"]}),
            "parameters",
        ),
        (json!({"ref": "core.p", "action": "core.echo", "type": "retry", "count": 1, "backoff": "random"}), "backoff"),
        (json!({"ref": "Bad Ref", "action": "core.echo", "type": "concurrency", "threshold": 1}), "ref"),
        (json!({"ref": "nopack.p", "action": "core.echo", "type": "concurrency", "threshold": 1}), "pack"),
    ];
    for (body, about) in cases {
        let refused = api.post("/api/v1/policies", body.clone()).await;
        assert!(refused.0.is_client_error(), "{body}: {}", refused.1);
        let text = refused.1["error"].to_string();
        assert!(text.contains(about), "{body}: the error names {about}: {text}");
    }
    let (_, listed) = api.get("/api/v1/policies").await;
    assert_eq!(listed["pagination"]["total"], 0, "nothing half-written");
}

#[tokio::test]
async fn writing_a_policy_needs_grants_in_both_packs() {
    let api = TestApi::start().await;
    let body = json!({"ref": "core.one_echo", "action": "core.echo", "type": "concurrency", "threshold": 1});
    let viewer = api.identity_with("vic", &["viewer"]).await;
    assert_error(
        &api.call("POST", "/api/v1/policies", Some(&viewer), Some(body.clone())).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let operator = api.identity_with("olga", &["operator"]).await;
    assert_error(
        &api.call("POST", "/api/v1/policies", Some(&operator), Some(body)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, _) = api.call("GET", "/api/v1/policies", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK, "viewers see policies");
    let put = json!({"action": "core.echo", "type": "concurrency", "threshold": 5});
    let refused = api.call("PUT", "/api/v1/policies/core.one_echo", Some(&viewer), Some(put)).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn an_action_queue_shows_what_runs_and_what_waits() {
    let api = TestApi::start().await;
    let body = json!({"ref": "core.one_echo", "action": "core.echo", "type": "concurrency", "threshold": 1});
    assert_eq!(api.post("/api/v1/policies", body).await.0, StatusCode::CREATED);
    let (store, bus) = (api.platform.store.as_ref(), api.platform.bus.as_ref());
    let policies = store.action_policies("core.echo").await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, created) =
            api.post("/api/v1/actions/core.echo/execute", json!({"parameters": {"message": "hi"}})).await;
        let id = created["data"]["id"].as_i64().unwrap();
        // The executor's part: take it and ask the policies.
        let taken = Lifecycle::new(store, bus).begin_scheduling(id).await.unwrap().unwrap();
        let checks = attune_executor_checks(&policies, &taken);
        Lifecycle::new(store, bus).admit(&taken, &checks).await.unwrap();
        ids.push(id);
    }
    let (status, queue) = api.get("/api/v1/actions/core.echo/queue").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!((queue["data"]["running"].clone(), queue["data"]["depth"].clone()), (json!(1), json!(2)));
    let waiting: Vec<(i64, i64)> = queue["data"]["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["execution"].as_i64().unwrap(), w["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(waiting, [(ids[1], 1), (ids[2], 2)]);
    let (_, queued) = api.get(&format!("/api/v1/executions/{}", ids[2])).await;
    assert_eq!(queued["data"]["status"], "queued");

    // A queued execution can be cancelled; it leaves the queue.
    let (status, _) = api.post(&format!("/api/v1/executions/{}/cancel", ids[1]), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, queue) = api.get("/api/v1/actions/core.echo/queue").await;
    assert_eq!(queue["data"]["waiting"][0]["execution"], ids[2]);
    assert_eq!(queue["data"]["waiting"][0]["position"], 1);
    assert_error(&api.get("/api/v1/actions/core.nope/queue").await, StatusCode::NOT_FOUND, "not_found");
}

/// The concurrency checks of `policies` on `execution` (what the executor computes).
fn attune_executor_checks(
    policies: &[attune_domain::policy::Policy],
    execution: &attune_domain::execution::Execution,
) -> Vec<attune_domain::admission::Check> {
    policies
        .iter()
        .filter_map(|policy| match policy.rule().unwrap() {
            attune_domain::policy::PolicyRule::Concurrency { threshold, method } => {
                Some(attune_domain::admission::Check {
                    policy_ref: policy.r#ref.clone(),
                    group_key: policy.group_key(&execution.parameters, &[]),
                    limit: attune_domain::admission::Limit::Concurrent(threshold),
                    method,
                })
            }
            _ => None,
        })
        .collect()
}
