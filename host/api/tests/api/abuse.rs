//! Abuse of the API itself: password guessing, slow bodies, abandoned streams.

use std::net::SocketAddr;
use std::time::Duration;

use attune_api::HttpLimits;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use futures::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{ADMIN_PASSWORD, TestApi, assert_error};

fn login_from(client: &str, login: &str, password: &str) -> Request<Body> {
    let address: SocketAddr = format!("{client}:40000").parse().unwrap();
    Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .extension(ConnectInfo(address))
        .body(Body::from(json!({"login": login, "password": password}).to_string()))
        .unwrap()
}

/// Status and `Retry-After` of a login.
async fn attempt(api: &TestApi, client: &str, login: &str, password: &str) -> (StatusCode, Option<u64>) {
    let response = api.router.clone().oneshot(login_from(client, login, password)).await.unwrap();
    let retry_after = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().parse().unwrap());
    (response.status(), retry_after)
}

async fn throttled_api() -> TestApi {
    TestApi::with_limits(HttpLimits {
        login_attempts_per_minute: 5,
        login_failures_per_minute: 3,
        ..HttpLimits::default()
    })
    .await
}

#[tokio::test]
async fn guessing_one_password_from_many_addresses_is_throttled_per_login() {
    let api = throttled_api().await;
    for n in 0..3 {
        let (status, _) = attempt(&api, &format!("192.0.2.{n}"), "admin", "wrong-guess-wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The fourth guess, from yet another address, is refused before any password check.
    let (status, retry_after) = attempt(&api, "192.0.2.9", "admin", "wrong-guess-wrong").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after.expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    // While throttled, even the right password waits; other logins are unaffected.
    assert_eq!(attempt(&api, "198.51.100.1", "admin", ADMIN_PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(attempt(&api, "198.51.100.1", "nobody", "whatever-it-is").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn one_address_trying_many_logins_is_throttled_per_client() {
    let api = throttled_api().await;
    for n in 0..5 {
        let (status, _) = attempt(&api, "203.0.113.5", &format!("user{n}"), "wrong-guess-wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, retry_after) = attempt(&api, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after.is_some());
    // Another address logs in as usual.
    assert_eq!(attempt(&api, "203.0.113.6", "admin", ADMIN_PASSWORD).await.0, StatusCode::OK);
    // A 429 is an error like every other.
    let response = api.router.clone().oneshot(login_from("203.0.113.5", "admin", ADMIN_PASSWORD)).await.unwrap();
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off() {
    let api = TestApi::with_limits(HttpLimits {
        body_timeout: Duration::from_millis(300),
        max_body_bytes: 1024,
        ..HttpLimits::default()
    })
    .await;
    // One byte, then nothing: the client holds the request open.
    let trickle = futures::stream::once(async { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{")) })
        .chain(futures::stream::pending());
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/executions")
        .header("authorization", format!("Bearer {}", api.token))
        .header("content-type", "application/json")
        .body(Body::from_stream(trickle))
        .unwrap();
    let answered = tokio::time::timeout(Duration::from_secs(10), api.send(request)).await.expect("answered");
    assert_error(&answered, StatusCode::REQUEST_TIMEOUT, "request_timeout");

    let big = json!({"action_ref": "core.echo", "parameters": {"message": "x".repeat(4096)}});
    let answered = api.call("POST", "/api/v1/executions", Some(&api.token.clone()), Some(big)).await;
    assert_error(&answered, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

async fn following(api: &TestApi) -> u64 {
    api.call("GET", "/health", None, None).await.1["following"].as_u64().unwrap()
}

#[tokio::test]
async fn an_abandoned_output_stream_stops() {
    let api = TestApi::start().await;
    // No worker runs in these tests: the execution never ends and never prints.
    let (status, created) =
        api.post("/api/v1/executions", json!({"action_ref": "core.echo", "parameters": {"message": "hi"}})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let uri = format!("/api/v1/executions/{}/output?follow=true", created["data"]["id"]);
    let mut streams = Vec::new();
    for _ in 0..20 {
        let request = Request::builder()
            .uri(&uri)
            .header("authorization", format!("Bearer {}", api.token))
            .body(Body::empty())
            .unwrap();
        let response = api.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        streams.push(response);
    }
    assert_eq!(following(&api).await, 20);

    drop(streams); // every client goes away
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while following(&api).await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "{} streams still polling", following(&api).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Status, error code and `Retry-After` of a request.
async fn shed_or_not(api: &TestApi, method: &str, uri: &str, body: Value) -> (StatusCode, Value, Option<String>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {}", api.token))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null), retry_after)
}

#[tokio::test]
async fn new_work_is_shed_while_the_backlog_is_full_and_accepted_once_it_drains() {
    let api = TestApi::with_limits(HttpLimits {
        max_backlog: 3,
        login_attempts_per_minute: 0,
        login_failures_per_minute: 0,
        ..HttpLimits::default()
    })
    .await;
    let token = api.token.clone();
    let (status, _) = api.call("POST", "/api/v1/webhooks", Some(&token), Some(json!({"name": "alerts"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let execute = json!({"parameters": {"message": "hi"}});
    // No executor runs here: requested executions stay waiting, so the backlog only grows.
    let mut waiting = Vec::new();
    for _ in 0..3 {
        let (status, body, _) = shed_or_not(&api, "POST", "/api/v1/actions/core.echo/execute", execute.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        waiting.push(body["data"]["id"].as_i64().unwrap());
    }
    // The next sample closes the gate: every route that creates work answers 503.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (status, body, retry_after) = loop {
        let answer = shed_or_not(&api, "POST", "/api/v1/actions/core.echo/execute", execute.clone()).await;
        if answer.0 != StatusCode::CREATED {
            break answer;
        }
        waiting.push(answer.1["data"]["id"].as_i64().unwrap());
        assert!(std::time::Instant::now() < deadline, "the backlog was never sampled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("overloaded")));
    assert_eq!(retry_after.as_deref(), Some("1"));
    let create = json!({"action_ref": "core.echo", "parameters": {"message": "hi"}});
    for (uri, body) in [
        ("/api/v1/executions", create),
        ("/api/v1/webhooks/alerts", json!({"kind": "page"})),
        (&*format!("/api/v1/executions/{}/rerun", waiting[0]), json!({})),
    ] {
        let (status, answer, _) = shed_or_not(&api, "POST", uri, body).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("overloaded")));
    }
    // Reads and cancellations are how a backlog drains: never shed.
    let (status, listed) = api.call("GET", "/api/v1/executions?status=requested", Some(&token), None).await;
    assert_eq!((status, listed["pagination"]["total"].as_u64()), (StatusCode::OK, Some(waiting.len() as u64)));
    for id in &waiting {
        let (status, _) = api.call("POST", &format!("/api/v1/executions/{id}/cancel"), Some(&token), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, _) = shed_or_not(&api, "POST", "/api/v1/webhooks/alerts", json!({"kind": "page"})).await;
        if status == StatusCode::ACCEPTED {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(std::time::Instant::now() < deadline, "the gate did not open once the backlog drained");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
