//! An API over a real SQLite store in a temporary directory, driven without a socket.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_api::{ApiState, HttpLimits, app};
use attune_bus::MemoryBus;
use attune_security::{Cipher, TokenIssuer};
use attune_services::Platform;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

mod people;

pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

pub struct TestApi {
    pub router: Router,
    pub platform: Platform,
    /// The bus the API publishes on; no executor consumes it in these tests.
    pub bus: Arc<MemoryBus>,
    pub dir: tempfile::TempDir,
    pub token: String,
}

/// The repository's `packs/` directory.
pub fn shipped_packs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs")
}

impl TestApi {
    /// A fresh store, bootstrapped, with the core pack registered and an admin token.
    pub async fn start() -> Self {
        Self::with_body_limit(1 << 20).await
    }

    pub async fn with_body_limit(max_body_bytes: usize) -> Self {
        // Tests log in far more often than people do; the throttle has tests of its own.
        Self::with_limits(HttpLimits {
            max_body_bytes,
            login_attempts_per_minute: 0,
            login_failures_per_minute: 0,
            ..HttpLimits::default()
        })
        .await
    }

    pub async fn with_limits(limits: HttpLimits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = attune_store::connect(&format!("sqlite://{}/attune.db", dir.path().display())).await.unwrap();
        let tokens = TokenIssuer::new(
            b"test-secret-test-secret-test-secret",
            Duration::from_secs(3600),
            Duration::from_secs(86400),
        );
        let bus = Arc::new(MemoryBus::new());
        let platform =
            Platform { store, tokens, cipher: Cipher::new(&[9; 32]), bus: bus.clone(), artifact_files: None };
        attune_services::bootstrap::bootstrap(&platform, Some(ADMIN_PASSWORD.into())).await.unwrap();
        attune_packs::register_pack(platform.store.as_ref(), &shipped_packs().join("core")).await.unwrap();
        let packs_dir = dir.path().to_path_buf();
        let packs_cache = dir.path().join("cache").join("packs");
        let router = app(ApiState::new(platform.clone(), packs_dir, packs_cache, limits));
        let mut api = Self { router, platform, bus, dir, token: String::new() };
        let (status, body) = api
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api.token = body["data"]["access_token"].as_str().unwrap().to_owned();
        api
    }

    /// Sends a request; `token` adds a bearer header; returns status and JSON body
    /// (`Value::Null` when empty).
    pub async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// Sends a raw request.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            // Pages and assets (`/docs`) come back as text.
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, body)
    }

    /// GET with the admin token.
    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, Some(&self.token.clone()), None).await
    }

    /// POST with the admin token.
    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Some(&self.token.clone()), Some(body)).await
    }
}

/// Asserts an error envelope with `status` and `code`; returns its message.
pub fn assert_error(result: &(StatusCode, Value), status: StatusCode, code: &str) -> String {
    assert_eq!(result.0, status, "{}", result.1);
    assert_eq!(result.1["error"]["code"], code, "{}", result.1);
    result.1["error"]["message"].as_str().unwrap_or_default().to_owned()
}

/// Registers a pack `vault` with an action taking a secret parameter.
pub async fn register_vault_pack(api: &TestApi) {
    let dir = api.dir.path().join("vault");
    std::fs::create_dir_all(dir.join("actions")).unwrap();
    std::fs::write(dir.join("pack.yaml"), "ref: vault\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        dir.join("actions/login.yaml"),
        "runner_type: shell\nentry_point: login.sh\nparameters:\n  user: {type: string, required: true}\n  password: {type: string, secret: true, required: true}\n  retries: {type: integer, default: 3}\n",
    )
    .unwrap();
    std::fs::write(dir.join("actions/login.sh"), "echo ok\n").unwrap();
    attune_packs::register_pack(api.platform.store.as_ref(), &dir).await.unwrap();
}
