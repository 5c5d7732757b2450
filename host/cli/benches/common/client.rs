//! The API as the benchmarks use it: a logged-in admin over one pooled HTTP client, and the
//! execution counts every run checks.

use std::time::Duration;

use serde_json::{Value, json};

/// Every status an execution has not ended in.
pub const UNFINISHED: &str = "delayed,requested,scheduling,queued,pending,scheduled,running,canceling";
/// Terminal statuses other than `completed`.
pub const NOT_COMPLETED: &str = "failed,timeout,cancelled,abandoned";
/// How long a load's request waits after `503 overloaded` before it is sent again: a tenth
/// of the server's `Retry-After` of a second, so that the backlog never runs dry while the
/// client waits.
pub const BACK_OFF: Duration = Duration::from_millis(100);

/// A logged-in client of one deployment's API.
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// Logs in as the admin.
    pub async fn login(base: &str, password: &str) -> Api {
        let client =
            reqwest::Client::builder().tcp_nodelay(true).pool_max_idle_per_host(256).build().expect("an HTTP client");
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": "admin", "password": password}))
            .send()
            .await
            .expect("login request");
        let body = expect_json(response, 200, "login").await;
        let token = body["data"]["access_token"].as_str().expect("an access token").to_owned();
        Api { client, base: base.to_owned(), token }
    }

    /// A request to `path` (from `/api/v1/…`) with the admin's token, to be sent.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    /// `GET path` (with its query), which must answer `200`; the whole body.
    pub async fn get(&self, path: &str) -> Value {
        let response = self.request(reqwest::Method::GET, path).send().await.expect("GET request");
        expect_json(response, 200, path).await
    }

    /// `POST path` with a JSON body, which must answer `expected`; the whole body.
    pub async fn post(&self, path: &str, body: &Value, expected: u16) -> Value {
        let response = self.request(reqwest::Method::POST, path).json(body).send().await.expect("POST request");
        expect_json(response, expected, path).await
    }

    /// `POST path` as a load sends it: a `503 overloaded` (the server's backlog is full) is
    /// waited out and the request sent again, as any client of a busy server does; every other
    /// answer must be `expected`. The whole body of the accepted answer.
    pub async fn post_accepted(&self, path: &str, body: &Value, expected: u16) -> Value {
        loop {
            let response = self.request(reqwest::Method::POST, path).json(body).send().await.expect("POST request");
            if response.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE {
                return expect_json(response, expected, path).await;
            }
            tokio::time::sleep(BACK_OFF).await;
        }
    }

    /// How many executions match `filter` (query parameters, e.g. `status=completed`): the
    /// list's total, with a page of one (an indexed count).
    pub async fn count(&self, filter: &str) -> u64 {
        let body = self.get(&format!("/api/v1/executions?{filter}&page_size=1")).await;
        body["pagination"]["total"].as_u64().expect("a total")
    }

    /// The newest execution matching `filter`, if any: for saying what went wrong.
    pub async fn newest(&self, filter: &str) -> Option<Value> {
        let mut body = self.get(&format!("/api/v1/executions?{filter}&page_size=1")).await;
        body["data"].as_array_mut().and_then(|items| items.pop())
    }
}

/// The JSON body of a response that must have status `expected`.
async fn expect_json(response: reqwest::Response, expected: u16, what: &str) -> Value {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, expected, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
}
