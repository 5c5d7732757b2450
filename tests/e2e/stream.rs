//! Live notices over `/api/v1/stream`: a subscriber sees an execution move from
//! `requested` to `completed`, with its output lines, as it happens.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;

use crate::support::{Server, attune};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the stream at `query` with `token` in the Authorization header.
pub async fn connect(server: &Server, query: &str, token: &str) -> Socket {
    let url = format!("{}/api/v1/stream{query}", server.url.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("the stream accepts the upgrade").0
}

/// The next JSON frame, within 30 s.
pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(30), socket.next())
            .await
            .expect("a frame within 30 s")
            .expect("the stream is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_subscriber_sees_an_execution_run_with_its_output() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "stream-password-123");
    let server = Server::start(command);
    let token = server.login("admin", "stream-password-123").await;

    let mut socket = connect(&server, "?entity=execution&output=true", &token).await;
    let hello = next(&mut socket).await;
    assert_eq!(hello, json!({"type": "subscribed", "filter": {"entity": ["execution"], "output": true}}));

    let (status, created) = server
        .call(
            "POST",
            "/api/v1/actions/core.echo/execute",
            Some(&token),
            Some(json!({"parameters": {"message": "live line"}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();

    let mut statuses = Vec::new();
    let mut output = Vec::new();
    while statuses.last().map(String::as_str) != Some("completed") {
        let frame = next(&mut socket).await;
        assert_eq!(frame["execution"], id, "only this execution runs: {frame}");
        match frame["type"].as_str().unwrap() {
            "execution_status" => statuses.push(frame["status"].as_str().unwrap().to_owned()),
            "execution_output" => {
                assert!(statuses.last().is_some_and(|s| s == "running"), "output while running: {frame}");
                output.push(frame["text"].as_str().unwrap().to_owned());
            }
            other => panic!("unexpected notice {other}: {frame}"),
        }
    }
    assert_eq!(statuses, ["requested", "scheduled", "running", "completed"]);
    assert!(output.iter().any(|line| line.contains("live line")), "{output:?}");

    // The filter can be replaced; a bad one is refused without closing the stream.
    socket.send(Message::Text(json!({"subscribe": {"entity": ["widget"]}}).to_string().into())).await.unwrap();
    let refused = next(&mut socket).await;
    assert_eq!(refused["type"], "error");
    assert!(refused["message"].as_str().unwrap().contains("widget"), "{refused}");
    socket.send(Message::Text(json!({"subscribe": {"entity": ["event"]}}).to_string().into())).await.unwrap();
    assert_eq!(
        next(&mut socket).await,
        json!({"type": "subscribed", "filter": {"entity": ["event"], "output": false}})
    );
}

#[tokio::test]
async fn the_stream_needs_a_credential_which_browsers_pass_in_the_query() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "stream-password-123");
    let server = Server::start(command);

    let url = format!("{}/api/v1/stream", server.url.replacen("http", "ws", 1));
    let refused = tokio_tungstenite::connect_async(url.as_str()).await.expect_err("no credential, no stream");
    match refused {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 401),
        other => panic!("expected an HTTP 401, got {other}"),
    }
    let (status, body) = server.call("GET", "/api/v1/stream", None, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")));

    let token = server.login("admin", "stream-password-123").await;
    let (status, body) = server.call("GET", "/api/v1/stream", Some(&token), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (426, Some("upgrade_required")), "plain HTTP is refused");
    let (status, body) = server.call("GET", "/api/v1/stream?entity=widget", Some(&token), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_request")), "{body}");

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{url}?access_token={token}")).await.unwrap();
    assert_eq!(next(&mut socket).await["type"], "subscribed");
}

#[tokio::test]
async fn a_stream_closes_when_its_identity_is_disabled() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "stream-password-123");
    let server = Server::start(command);
    let admin = server.login("admin", "stream-password-123").await;
    let bob = json!({"login": "bob", "password": "bobs-long-password"});
    assert_eq!(server.call("POST", "/api/v1/identities", Some(&admin), Some(bob)).await.0, 201);
    let assign = server.call("PUT", "/api/v1/identities/bob/permission-sets/viewer", Some(&admin), None).await;
    assert_eq!(assign.0, 204);
    let token = server.login("bob", "bobs-long-password").await;
    let mut socket = connect(&server, "?entity=execution", &token).await;
    assert_eq!(next(&mut socket).await["type"], "subscribed");

    let disable = json!({"enabled": false});
    assert_eq!(server.call("PATCH", "/api/v1/identities/bob", Some(&admin), Some(disable)).await.0, 200);
    let frame = next(&mut socket).await;
    assert_eq!(frame["type"], "error", "{frame}");
    let closing = tokio::time::timeout(std::time::Duration::from_secs(30), socket.next()).await.unwrap();
    match closing {
        Some(Ok(Message::Close(Some(close)))) => {
            assert_eq!(u16::from(close.code), 1008, "{close:?}");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // And no execution started afterwards reaches it.
    let (status, _) = server.call("POST", "/api/v1/actions/core.noop/execute", Some(&admin), Some(json!({}))).await;
    assert_eq!(status, 201);
    let after = tokio::time::timeout(std::time::Duration::from_secs(2), socket.next()).await;
    assert!(matches!(after, Ok(None) | Ok(Some(Err(_))) | Err(_)), "the stream stays closed: {after:?}");
}
