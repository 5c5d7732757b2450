//! Inquiries over the API: who may answer, what an answer must be, once, and the answer
//! becoming the waiting execution's result.

use attune_bus::{Bus, Notice, Received};
use attune_domain::Id;
use attune_services::lifecycle::Lifecycle;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApi, assert_error};

/// Requests `core.ask` with `parameters` and plays the executor's part: takes it and asks.
async fn asked(api: &TestApi, parameters: Value) -> (Id, Id) {
    let (status, body) = api.post("/api/v1/actions/core.ask/execute", json!({ "parameters": parameters })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let execution = body["data"]["id"].as_i64().unwrap();
    let (store, bus) = (api.platform.store.as_ref(), api.platform.bus.as_ref());
    let taken = Lifecycle::new(store, bus).begin_scheduling(execution).await.unwrap().unwrap();
    let inquiry = attune_services::inquiries::ask(store, bus, &taken).await.unwrap().unwrap();
    (execution, inquiry.id)
}

fn approval() -> Value {
    json!({
        "prompt": "Deploy to production?",
        "schema": {"type": "object", "properties": {"approved": {"type": "boolean"}, "note": {"type": "string"}},
                   "required": ["approved"], "additionalProperties": false},
        "assigned_to": {"identities": ["ada"], "permission_sets": ["approvers"]},
        "timeout_s": 600,
    })
}

#[tokio::test]
async fn an_assignee_answers_once_and_the_answer_becomes_the_result() {
    let api = TestApi::start().await;
    let mut notices = api.bus.subscribe().await.unwrap();
    let (execution, inquiry) = asked(&api, approval()).await;
    let (_, shown) = api.get(&format!("/api/v1/executions/{execution}")).await;
    assert_eq!(shown["data"]["status"], "pending");
    let (_, listed) = api.get("/api/v1/inquiries?status=pending").await;
    assert_eq!(listed["data"][0]["id"], inquiry);
    assert_eq!(listed["data"][0]["prompt"], "Deploy to production?");

    let ada = api.identity_with("ada", &["viewer"]).await;
    let (_, mine) = api.call("GET", "/api/v1/inquiries?mine=true", Some(&ada), None).await;
    assert_eq!(mine["pagination"]["total"], 1, "{mine}");
    let answer = json!({"response": {"approved": true, "note": "go"}});
    let respond = format!("/api/v1/inquiries/{inquiry}/respond");
    let (status, answered) = api.call("POST", &respond, Some(&ada), Some(answer.clone())).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(
        (answered["data"]["status"].clone(), answered["data"]["responded_by"].clone()),
        (json!("responded"), json!("ada"))
    );

    let (_, done) = api.get(&format!("/api/v1/executions/{execution}")).await;
    assert_eq!(done["data"]["status"], "completed");
    assert_eq!(done["data"]["result"], json!({"approved": true, "note": "go"}));
    assert_error(&api.call("POST", &respond, Some(&ada), Some(answer)).await, StatusCode::CONFLICT, "conflict");

    let mut seen = Vec::new();
    while let Ok(Some(received)) = tokio::time::timeout(std::time::Duration::from_millis(200), notices.next()).await {
        if let Received::Notice(notice) = received {
            seen.push(notice);
        }
    }
    assert!(seen.iter().any(|n| matches!(n, Notice::InquiryCreated { inquiry: i, .. } if *i == inquiry)), "{seen:?}");
    assert!(seen.iter().any(|n| matches!(n, Notice::InquiryClosed { inquiry: i, .. } if *i == inquiry)), "{seen:?}");
}

#[tokio::test]
async fn an_answer_that_does_not_fit_the_schema_changes_nothing() {
    let api = TestApi::start().await;
    let (execution, inquiry) = asked(&api, approval()).await;
    let respond = format!("/api/v1/inquiries/{inquiry}/respond");
    let refused = api.post(&respond, json!({"response": {"approved": "yes", "extra": 1}})).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> = refused.1["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"/approved") && fields.contains(&"/"), "each bad field listed: {fields:?}");
    let (_, still) = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(still["data"]["status"], "pending");
    let (_, waiting) = api.get(&format!("/api/v1/executions/{execution}")).await;
    assert_eq!(waiting["data"]["status"], "pending");
}

#[tokio::test]
async fn only_assignees_and_holders_of_respond_may_answer() {
    let api = TestApi::start().await;
    let (_, inquiry) = asked(&api, approval()).await;
    let respond = format!("/api/v1/inquiries/{inquiry}/respond");
    let answer = json!({"response": {"approved": true}});
    // A viewer not named, and an editor (respond on inquiries) of another pack only.
    let mallory = api.identity_with("mallory", &["viewer"]).await;
    assert_error(
        &api.call("POST", &respond, Some(&mallory), Some(answer.clone())).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, still) = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(still["data"]["status"], "pending");
    // An operator holds respond on inquiries of every pack.
    let olga = api.identity_with("olga", &["operator"]).await;
    let (status, body) = api.call("POST", &respond, Some(&olga), Some(answer)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn cancelling_a_waiting_execution_withdraws_its_inquiry() {
    let api = TestApi::start().await;
    let (execution, inquiry) = asked(&api, approval()).await;
    let (status, body) = api.post(&format!("/api/v1/executions/{execution}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "cancelled");
    let (_, withdrawn) = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(withdrawn["data"]["status"], "cancelled");
    let late = api.post(&format!("/api/v1/inquiries/{inquiry}/respond"), json!({"response": {"approved": true}})).await;
    assert_error(&late, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn a_bad_request_to_the_inquiry_routes_is_a_clear_error() {
    let api = TestApi::start().await;
    assert_error(&api.get("/api/v1/inquiries/999").await, StatusCode::NOT_FOUND, "not_found");
    let (_, inquiry) = asked(&api, approval()).await;
    let respond = format!("/api/v1/inquiries/{inquiry}/respond");
    assert_error(&api.post(&respond, json!({"answer": true})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert_error(&api.get("/api/v1/inquiries?status=later").await, StatusCode::BAD_REQUEST, "invalid_query");
}
