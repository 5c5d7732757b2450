//! Webhooks over HTTP: posts become `core.webhook` events, with a token or a signature.

use attune_services::webhooks::{sign, sign_at};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{TestApi, assert_error};

fn post(name: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::builder().method("POST").uri(format!("/api/v1/webhooks/{name}"));
    for (header, value) in headers {
        request = request.header(*header, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn a_post_with_a_token_records_an_event() {
    let api = TestApi::start().await;
    let bearer = format!("Bearer {}", api.token);
    let body = r#"{"level": "error", "service": "api-gateway"}"#;
    let request = post(
        "alerts",
        body,
        &[("authorization", &bearer), ("content-type", "application/json"), ("x-request-id", "r-1")],
    );
    let (status, accepted) = api.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let id = accepted["data"]["event"].as_i64().unwrap();

    let (_, event) = api.get(&format!("/api/v1/events/{id}")).await;
    let event = &event["data"];
    assert_eq!(event["trigger_ref"], "core.webhook");
    assert_eq!(event["payload"]["name"], "alerts");
    assert_eq!(event["payload"]["body"], json!({"level": "error", "service": "api-gateway"}));
    assert_eq!(event["payload"]["headers"]["x-request-id"], "r-1");
    assert!(event["payload"]["headers"].get("authorization").is_none(), "credentials are never copied into events");
    assert_eq!(event["config"], json!({"trigger_parameters": {"name": "alerts"}}));

    let text = post("notes", "plain words", &[("authorization", &bearer), ("content-type", "text/plain")]);
    let (_, accepted) = api.send(text).await;
    let (_, event) = api.get(&format!("/api/v1/events/{}", accepted["data"]["event"])).await;
    assert_eq!(event["data"]["payload"]["body"], "plain words");

    let (_, listed) = api.get("/api/v1/events?trigger=core.webhook").await;
    assert_eq!(listed["pagination"]["total"], 2);
    assert_error(&api.get("/api/v1/events?since=soon").await, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn signed_posts_need_the_webhooks_secret() {
    let api = TestApi::start().await;
    let (status, created) =
        api.post("/api/v1/webhooks", json!({"name": "github", "secret": "0123456789abcdef-secret"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["signed"], true);
    assert!(!created.to_string().contains("0123456789abcdef"), "the secret is never shown");

    let body = r#"{"ref": "refs/heads/main"}"#;
    let good = sign("0123456789abcdef-secret", body.as_bytes());
    let (status, accepted) =
        api.send(post("github", body, &[("x-hub-signature-256", &good), ("content-type", "application/json")])).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");

    let forged = sign("another-secret-entirely", body.as_bytes());
    let refused = api.send(post("github", body, &[("x-attune-signature", &forged)])).await;
    assert_error(&refused, StatusCode::UNAUTHORIZED, "unauthorized");
    let tampered = api.send(post("github", r#"{"ref": "evil"}"#, &[("x-attune-signature", &good)])).await;
    assert_error(&tampered, StatusCode::UNAUTHORIZED, "unauthorized");
    let unsigned_hook = api.send(post("alerts", body, &[("x-attune-signature", &good)])).await;
    assert_error(&unsigned_hook, StatusCode::UNAUTHORIZED, "unauthorized");
    let anonymous = api.send(post("github", body, &[])).await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(api.get("/api/v1/events").await.1["pagination"]["total"], 1, "only the good post made an event");
}

#[tokio::test]
async fn managing_webhooks_needs_a_token() {
    let api = TestApi::start().await;
    for (method, uri) in [
        ("GET", "/api/v1/webhooks"),
        ("POST", "/api/v1/webhooks"),
        ("GET", "/api/v1/webhooks/x"),
        ("DELETE", "/api/v1/webhooks/x"),
    ] {
        assert_error(
            &api.call(method, uri, None, Some(json!({"name": "x"}))).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
    api.post("/api/v1/webhooks", json!({"name": "plain"})).await;
    let (_, listed) = api.get("/api/v1/webhooks").await;
    assert_eq!(listed["data"][0]["signed"], false);
    assert_error(&api.post("/api/v1/webhooks", json!({"name": "plain"})).await, StatusCode::CONFLICT, "conflict");
    assert_error(
        &api.post("/api/v1/webhooks", json!({"name": "Bad Name"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_error(
        &api.post("/api/v1/webhooks", json!({"name": "short", "secret": "tiny"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, _) = api.call("DELETE", "/api/v1/webhooks/plain", Some(&api.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let bearer = format!("Bearer {}", api.token);
    let invalid =
        api.send(post("alerts", "{oops", &[("authorization", &bearer), ("content-type", "application/json")])).await;
    assert_error(&invalid, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn a_signed_timestamped_post_is_accepted_once_and_only_in_its_window() {
    let api = TestApi::start().await;
    let secret = "0123456789abcdef-secret";
    let (status, created) =
        api.post("/api/v1/webhooks", json!({"name": "deploys", "secret": secret, "replay_window_s": 60})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["replay_window_s"], 60);

    let body = r#"{"service": "api"}"#;
    let now = chrono::Utc::now().timestamp();
    let stamp = now.to_string();
    let signature = sign_at(secret, now, body.as_bytes());
    let signed = [("x-attune-signature", signature.as_str()), ("x-attune-timestamp", stamp.as_str())];
    let (status, accepted) = api.send(post("deploys", body, &signed)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");

    // The attack: the same post captured and sent again.
    assert_error(&api.send(post("deploys", body, &signed)).await, StatusCode::CONFLICT, "conflict");
    // Re-dated, it no longer matches its signature.
    let later = (now + 1).to_string();
    let redated = [("x-attune-signature", signature.as_str()), ("x-attune-timestamp", later.as_str())];
    assert_error(&api.send(post("deploys", body, &redated)).await, StatusCode::UNAUTHORIZED, "unauthorized");
    // Signed long ago (or far ahead), it is outside the window.
    let old = now - 3600;
    let stale_signature = sign_at(secret, old, body.as_bytes());
    let old = old.to_string();
    let stale = [("x-attune-signature", stale_signature.as_str()), ("x-attune-timestamp", old.as_str())];
    let refused =
        assert_error(&api.send(post("deploys", body, &stale)).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(refused.contains("from now"), "{refused}");
    // A webhook with a window takes no body-only signature (that could be replayed forever).
    let bare = sign(secret, body.as_bytes());
    let refused = assert_error(
        &api.send(post("deploys", body, &[("x-attune-signature", &bare)])).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert!(refused.contains("X-Attune-Timestamp"), "{refused}");
    assert_eq!(api.get("/api/v1/events").await.1["pagination"]["total"], 1, "one post, one event");

    let bad = api.post("/api/v1/webhooks", json!({"name": "open", "replay_window_s": 60})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = api.post("/api/v1/webhooks", json!({"name": "wide", "secret": secret, "replay_window_s": 0})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn credential_headers_never_reach_events() {
    let api = TestApi::start().await;
    let bearer = format!("Bearer {}", api.token);
    let headers = [
        ("authorization", bearer.as_str()),
        ("cookie", "session=abc"),
        ("x-api-key", "key-123"),
        ("x-gitlab-token", "glpat-secret"),
        ("x-slack-signature", "v0=deadbeef"),
        ("x-github-event", "push"),
    ];
    let (status, accepted) = api.send(post("hooks", "{}", &headers)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let (_, event) = api.get(&format!("/api/v1/events/{}", accepted["data"]["event"])).await;
    let stored = &event["data"]["payload"]["headers"];
    assert_eq!(stored["x-github-event"], "push", "other headers are kept");
    for (name, value) in &headers[..5] {
        assert!(stored.get(*name).is_none(), "{name} was stored: {stored}");
        assert!(!event.to_string().contains(*value), "{name}'s value is stored somewhere: {event}");
    }
}
