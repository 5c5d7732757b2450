//! The HTTP side: one [`Api`] per command, sending the bearer credential on every request
//! and turning the server's answers into values or [`Failure`]s.
//!
//! A profile logged in with a password holds an access token (valid an hour) and a
//! refresh token: when the server answers 401 to a request made with the profile's access
//! token, the pair is refreshed once, saved to the profile, and the request sent again.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::args::Global;
use crate::failure::{Failure, Refusal};
use crate::profile::{self, Profile, Profiles};

/// Where requests go and how they authenticate.
pub struct Api {
    http: reqwest::Client,
    url: String,
    bearer: Option<String>,
    /// The profile the credential came from, when it can be refreshed.
    session: Option<Session>,
}

/// What a request carries.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// Nothing.
    Empty,
    /// A JSON body.
    Json(&'a Value),
    /// Raw bytes of this content type.
    Bytes(&'a [u8], &'static str),
}

/// A profile whose access token can be refreshed.
struct Session {
    file: PathBuf,
    name: String,
    refresh_token: String,
}

impl Api {
    /// The API for `global`'s server and credential: flags and environment first, then the
    /// selected profile.
    pub fn connect(global: &Global) -> Result<Self, Failure> {
        let file = profile::path()?;
        let profiles = Profiles::load(&file)?;
        let name = profiles.selected(global.profile.as_deref());
        let stored = profiles.profiles.get(&name).cloned().unwrap_or_default();
        let url = global.url.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| {
            if stored.url.is_empty() { profile::DEFAULT_URL.to_owned() } else { stored.url.clone() }
        });
        let (bearer, session) = if let Some(token) = global.token.clone().filter(|t| !t.is_empty()) {
            (Some(token), None)
        } else if let Some(key) = global.api_key.clone().filter(|k| !k.is_empty()) {
            (Some(key), None)
        } else if let Some(key) = stored.api_key.clone() {
            (Some(key), None)
        } else {
            let session = stored.refresh_token.clone().map(|refresh_token| Session { file, name, refresh_token });
            (stored.access_token.clone(), session)
        };
        Ok(Self::new(&url, bearer, session))
    }

    /// An API at `url` without a profile behind it (`login` uses it).
    pub fn anonymous(url: &str) -> Self {
        Self::new(url, None, None)
    }

    fn new(url: &str, bearer: Option<String>, session: Option<Session>) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("attune-cli/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self { http, url: url.trim_end_matches('/').to_owned(), bearer, session }
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET path` (with `query`), the answer's JSON.
    pub async fn get(&mut self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        self.call(Method::GET, path, query, Payload::Empty).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&mut self, path: &str, body: &Value) -> Result<Value, Failure> {
        self.call(Method::POST, path, &[], Payload::Json(body)).await
    }

    /// `POST path` (with `query`) with a binary body: a pack archive.
    pub async fn upload(&mut self, path: &str, query: &[(&str, String)], bytes: &[u8]) -> Result<Value, Failure> {
        self.call(Method::POST, path, query, Payload::Bytes(bytes, "application/octet-stream")).await
    }

    /// `PUT path` with a JSON body (and `query`).
    pub async fn put(&mut self, path: &str, query: &[(&str, String)], body: &Value) -> Result<Value, Failure> {
        self.call(Method::PUT, path, query, Payload::Json(body)).await
    }

    /// `DELETE path` (with `query`).
    pub async fn delete(&mut self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        self.call(Method::DELETE, path, query, Payload::Empty).await
    }

    /// Sends a request and reads its JSON answer (`null` for an empty one).
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Payload<'_>,
    ) -> Result<Value, Failure> {
        let response = self.send(method, path, query, body).await?;
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|e| Failure::Local(format!("{}{path}: not JSON: {e}", self.url)))
    }

    /// Sends a request and returns the successful response, unread (output streams are
    /// read as they arrive). A 401 on a profile's access token refreshes it once.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Payload<'_>,
    ) -> Result<reqwest::Response, Failure> {
        let response = self.attempt(method.clone(), path, query, body).await?;
        if response.status() == StatusCode::UNAUTHORIZED && self.session.is_some() && self.refresh().await? {
            let response = self.attempt(method, path, query, body).await?;
            return self.checked(response).await;
        }
        self.checked(response).await
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Payload<'_>,
    ) -> Result<reqwest::Response, Failure> {
        let mut request = self.http.request(method, format!("{}{path}", self.url)).query(query);
        if let Some(bearer) = &self.bearer {
            request = request.bearer_auth(bearer);
        }
        request = match body {
            Payload::Empty => request,
            Payload::Json(value) => request.json(value),
            Payload::Bytes(bytes, content_type) => {
                request.header(reqwest::header::CONTENT_TYPE, content_type).body(bytes.to_vec())
            }
        };
        request.send().await.map_err(|e| self.unreachable(e))
    }

    /// The response when it succeeded; its error envelope as a failure otherwise.
    async fn checked(&self, response: reqwest::Response) -> Result<reqwest::Response, Failure> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let error = &body["error"];
        let text = |key: &str, fallback: &str| error[key].as_str().unwrap_or(fallback).to_owned();
        let refusal = Refusal {
            status: status.as_u16(),
            code: text("code", status.canonical_reason().unwrap_or("error")),
            message: text("message", "the server gave no reason"),
            details: error.get("details").cloned(),
        };
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Failure::Auth(refusal),
            _ => Failure::Refused(refusal),
        })
    }

    /// Exchanges the session's refresh token for a new pair and saves it; false when the
    /// server refuses it (the caller's 401 then stands).
    async fn refresh(&mut self) -> Result<bool, Failure> {
        let Some(session) = self.session.take() else { return Ok(false) };
        let body = serde_json::json!({ "refresh_token": session.refresh_token });
        let response = self.attempt(Method::POST, "/api/v1/auth/refresh", &[], Payload::Json(&body)).await?;
        if !response.status().is_success() {
            return Ok(false);
        }
        let pair: Value = response.json().await.map_err(|e| self.unreachable(e))?;
        let (Some(access), Some(refresh)) =
            (pair["data"]["access_token"].as_str(), pair["data"]["refresh_token"].as_str())
        else {
            return Ok(false);
        };
        let mut profiles = Profiles::load(&session.file)?;
        let stored = profiles
            .profiles
            .entry(session.name.clone())
            .or_insert_with(|| Profile { url: self.url.clone(), ..Profile::default() });
        stored.access_token = Some(access.to_owned());
        stored.refresh_token = Some(refresh.to_owned());
        profiles.save(&session.file)?;
        self.bearer = Some(access.to_owned());
        Ok(true)
    }

    fn unreachable(&self, error: reqwest::Error) -> Failure {
        // reqwest's message for a refused connection is "error sending request": its
        // source says what actually happened.
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            reason = format!("{reason}: {cause}");
            source = cause.source();
        }
        Failure::Unreachable { url: self.url.clone(), reason }
    }
}

/// Percent-encodes one path segment (a ref or name the user typed).
pub fn segment(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b == b'.') {
        // "." and ".." would be dropped or climb a level when the URL is normalised.
        return text.bytes().map(|_| "%2E").collect();
    }
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn a_segment_cannot_leave_its_place_in_the_path() {
        assert_eq!(segment("core.echo"), "core.echo");
        assert_eq!(segment("../auth/me"), "..%2Fauth%2Fme");
        assert_eq!(segment("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(segment(".."), "%2E%2E");
    }
}
