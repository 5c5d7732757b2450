//! The HTTP server loop: one task per connection, a deadline for request headers, the
//! client's address on every request, graceful shutdown.
//!
//! `axum::serve` sets no header deadline, so a client sending its headers a byte at a time
//! keeps a connection (and a task) for as long as it likes, and a few thousand such
//! clients exhaust the process. Here hyper is given a timer and `server.header_timeout_s`;
//! body deadlines are the API's own (`server.body_timeout_s`). The peer address is put on
//! each request as axum's `ConnectInfo`, which the login throttle counts by.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How long connections still open at shutdown may take to finish their requests.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` resolves, then lets open connections finish
/// (up to [`DRAIN`]).
pub async fn serve(
    app: Router,
    listener: TcpListener,
    header_timeout: Duration,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        connections.spawn(connection(app.clone(), stream, peer, header_timeout, closing.clone()));
    }
    drop(listener);
    closing.cancel();
    connections.close();
    if tokio::time::timeout(DRAIN, connections.wait()).await.is_err() {
        tracing::warn!(open = connections.len(), "connections still open after {}s; closing them", DRAIN.as_secs());
    }
    Ok(())
}

/// Serves one connection until it closes, or until `closing` and its current request ends.
async fn connection(
    app: Router,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    header_timeout: Duration,
    closing: CancellationToken,
) {
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        () = closing.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = ended {
        tracing::debug!(%error, %peer, "connection ended with an error");
    }
}
