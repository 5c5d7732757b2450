//! The operators' routes: `/metrics`, `/health/live`, `/health/ready`.
//!
//! - `/health/live` answers as long as the process serves HTTP: an orchestrator restarts a
//!   process that stops answering it.
//! - `/health/ready` asks the role's [`Probes`] (the store, the bus, a worker's runtimes)
//!   and answers `503` while any is down: traffic and dependants wait for it. It names
//!   each check `ok` or `unavailable` and nothing more: it is public, so the reason goes to
//!   the log, never to the caller.
//! - `/metrics` renders the recorder ([`crate::exporter`]) after the role refreshed the
//!   gauges it reads from the store. [`MetricsAccess`] decides who may read it: anyone,
//!   a caller with the configured bearer token, or nobody (`404`). Series carry action,
//!   rule and trigger refs, so a deployment reachable by strangers sets a token.
//!
//! The API serves these handlers beside `/api/v1`; [`serve_on`] gives the roles without an
//! API a listener of their own. [`track_http`] records every routed request's duration.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Who may read `/metrics`.
#[derive(Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone who can reach the listener.
    Open,
    /// Callers sending `Authorization: Bearer <token>`; holds the token's SHA-256, so that
    /// the comparison takes the same time whatever the guess.
    Token([u8; 32]),
    /// Nobody: `/metrics` answers `404`.
    Off,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MetricsAccess::Open => "Open",
            MetricsAccess::Token(_) => "Token(..)",
            MetricsAccess::Off => "Off",
        })
    }
}

impl MetricsAccess {
    /// Readable with `token`.
    pub fn token(token: &str) -> Self {
        Self::Token(Sha256::digest(token.as_bytes()).into())
    }

    /// The answer to a request with `headers` that may not read the metrics; `None` when
    /// it may.
    fn refusal(&self, headers: &HeaderMap) -> Option<Response> {
        match self {
            MetricsAccess::Open => None,
            MetricsAccess::Off => Some(error(StatusCode::NOT_FOUND, "not_found", "metrics are turned off")),
            MetricsAccess::Token(expected) => {
                let given = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.strip_prefix("Bearer "))
                    .map(|token| <[u8; 32]>::from(Sha256::digest(token.trim().as_bytes())));
                if given.as_ref() == Some(expected) {
                    return None;
                }
                let mut refused =
                    error(StatusCode::UNAUTHORIZED, "unauthorized", "the metrics token is missing or wrong");
                refused.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                Some(refused)
            }
        }
    }
}

/// One readiness check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked: `store`, `bus`, `runtimes`.
    pub name: &'static str,
    /// Whether it can serve.
    pub ok: bool,
}

/// What a role answers readiness and scrapes with.
#[async_trait]
pub trait Probes: Send + Sync {
    /// Checks what the role needs to do its work.
    async fn ready(&self) -> Vec<Check>;

    /// Brings the gauges read from the store up to date before a scrape (none by default).
    async fn refresh(&self) {}
}

/// `GET /health/live`.
pub fn live() -> Response {
    (StatusCode::OK, axum::Json(json!({"status": "live"}))).into_response()
}

/// `GET /health/ready`: `200` when every check passes, `503` otherwise.
pub async fn ready(probes: &dyn Probes) -> Response {
    let checks = probes.ready().await;
    let all_ok = checks.iter().all(|check| check.ok);
    let named: serde_json::Map<String, serde_json::Value> = checks
        .iter()
        .map(|check| (check.name.to_owned(), json!(if check.ok { "ok" } else { "unavailable" })))
        .collect();
    let status = if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({"status": if all_ok { "ready" } else { "not_ready" }, "checks": named});
    (status, axum::Json(body)).into_response()
}

/// `GET /metrics`: the Prometheus text format, when `access` admits the caller.
pub async fn metrics(access: &MetricsAccess, probes: &dyn Probes, headers: &HeaderMap) -> Response {
    if let Some(refused) = access.refusal(headers) {
        return refused;
    }
    probes.refresh().await;
    let text = crate::exporter::render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// The three routes, for a role without an API.
pub fn router(probes: Arc<dyn Probes>, access: MetricsAccess) -> Router {
    crate::exporter::install();
    let access = Arc::new(access);
    let for_ready = probes.clone();
    Router::new()
        .route("/health/live", get(|| async { live() }))
        .route("/health/ready", get(move || async move { ready(for_ready.as_ref()).await }))
        .route(
            "/metrics",
            get(move |headers: HeaderMap| async move { metrics(&access, probes.as_ref(), &headers).await }),
        )
        .route_layer(axum::middleware::from_fn(track_http))
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// Middleware recording each routed request: method, route template (never the raw path,
/// which a caller chooses), status and duration. Installed as a route layer, so that the
/// template is known.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| label(p.as_str()));
    let response = next.run(request).await;
    crate::record::http_request(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// A route template as a label: `{id}` written `:id`, the form most tools parse (some
/// read a brace in a label value as the end of the label set).
fn label(template: &str) -> String {
    template.replace('{', ":").replace('}', "")
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::ServiceExt;

    use super::*;

    struct Fixed(bool);

    #[async_trait]
    impl Probes for Fixed {
        async fn ready(&self) -> Vec<Check> {
            vec![Check { name: "store", ok: true }, Check { name: "bus", ok: self.0 }]
        }
    }

    async fn get(app: &Router, path: &str, token: Option<&str>) -> (StatusCode, String) {
        let mut request = axum::http::Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn readiness_fails_when_any_check_fails_and_names_no_reason() {
        let up = router(Arc::new(Fixed(true)), MetricsAccess::Open);
        let (status, body) = get(&up, "/health/ready", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["checks"]["bus"], "ok");
        let down = router(Arc::new(Fixed(false)), MetricsAccess::Open);
        let (status, body) = get(&down, "/health/ready", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body, json!({"status": "not_ready", "checks": {"store": "ok", "bus": "unavailable"}}));
        assert_eq!(get(&down, "/health/live", None).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_token_guards_the_metrics_and_off_hides_them() {
        let guarded = router(Arc::new(Fixed(true)), MetricsAccess::token("s3cret-token"));
        assert_eq!(get(&guarded, "/metrics", None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&guarded, "/metrics", Some("wrong")).await.0, StatusCode::UNAUTHORIZED);
        let (status, text) = get(&guarded, "/metrics", Some("s3cret-token")).await;
        assert_eq!(status, StatusCode::OK);
        // The refused scrapes were themselves recorded, by route template and status.
        let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
        let refused = scrape.samples.iter().find(|s| {
            s.metric == "attune_http_requests_total"
                && s.labels.get("route") == Some("/metrics")
                && s.labels.get("status") == Some("401")
        });
        assert!(matches!(refused.map(|s| &s.value), Some(prometheus_parse::Value::Counter(n)) if *n >= 2.0));
        let off = router(Arc::new(Fixed(true)), MetricsAccess::Off);
        assert_eq!(get(&off, "/metrics", Some("s3cret-token")).await.0, StatusCode::NOT_FOUND);
    }
}
