//! Abuse of a running server over real sockets: slow headers, password guessing, abandoned
//! output streams.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Server, attune};

fn address(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE__SERVER__HEADER_TIMEOUT_S", "1");
    let server = Server::start(command);

    let mut slow = std::net::TcpStream::connect(address(&server)).unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: attune\r\nX-Slow: ").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // The server answers 408 or just closes; either way the read ends instead of timing out.
    let ended = slow.read_to_end(&mut answer);
    assert!(ended.is_ok(), "the server kept the connection open: {ended:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");

    let (status, _) = server.call("GET", "/health", None, None).await;
    assert_eq!(status, 200, "other clients are served");
}

#[tokio::test]
async fn password_guessing_from_one_address_gets_429_with_retry_after() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "given-password-123").env("ATTUNE__AUTH__LOGIN_ATTEMPTS_PER_MINUTE", "5");
    let server = Server::start(command);
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for n in 0..8 {
        let response = client
            .post(format!("{}/api/v1/auth/login", server.url))
            .json(&json!({"login": format!("guess{n}"), "password": "not-the-password"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        retry_after =
            retry_after.or_else(|| response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()));
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    let wait: u64 = retry_after.expect("a Retry-After header").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn output_streams_end_when_their_clients_leave() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "given-password-123");
    let server = Server::start(command);
    let token = server.login("admin", "given-password-123").await;
    let (status, created) = server
        .call(
            "POST",
            "/api/v1/executions",
            Some(&token),
            Some(json!({"action_ref": "core.sleep", "parameters": {"seconds": 60}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let uri = format!("{}/api/v1/executions/{}/output?follow=true", server.url, created["data"]["id"]);

    let mut streams = Vec::new();
    for _ in 0..30 {
        // A client of its own each: one connection per stream, closed when dropped.
        let client = reqwest::Client::new();
        let response = client.get(&uri).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        streams.push((client, response));
    }
    let (_, health) = server.call("GET", "/health", None, None).await;
    assert_eq!(health["following"], 30);

    drop(streams);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, health) = server.call("GET", "/health", None, None).await;
        if health["following"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "streams still open after their clients left: {health}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
