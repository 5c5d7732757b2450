//! The web UI, served by the binary itself: the files `scripts/build-web.sh` writes to
//! `web/dist` are compiled in (see `build.rs`), so a release binary serves the UI with no
//! files beside it.
//!
//! [`respond`] answers the requests the API's routes do not match: a built file by its
//! path, and for any other page path `index.html` — the single-page app routes in the
//! browser, so `/executions/42` is a URL one can share and reload. Paths under `/api/` never
//! reach it (they get the API's JSON 404). Hashed files under `assets/` may be cached
//! forever; `index.html` is revalidated, so a new binary's UI is seen on the next load.
//!
//! For work on the UI itself, `ATTUNE_WEB_DIR` names a directory (normally `web/dist`) to
//! serve instead of the compiled-in files, read on each request: a rebuilt UI is seen
//! without rebuilding the binary.
//!
//! Every answer carries a strict Content-Security-Policy: scripts and styles come from this
//! origin only, and nothing can frame the UI. Event payloads, action output and pack
//! metadata are rendered by the UI as text, and the policy is the second line of defence.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Response, StatusCode, header};

mod assets {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

mod content_type;

use content_type::content_type;

/// The policy every UI answer carries.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Shown when the binary was built without the UI.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Attune</title></head>\
<body><main><h1>Attune</h1><p>This binary was built without its web UI. Build it with \
<code>scripts/build-web.sh</code> (or <code>make run</code>), then build Attune again. \
The API is at <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> and documented at \
<a href=\"/docs\">/docs</a>.</p></main></body></html>";

/// The variable naming a directory to serve instead of the compiled-in files.
const WEB_DIR_ENV: &str = "ATTUNE_WEB_DIR";

/// The directory of [`WEB_DIR_ENV`], read once.
static WEB_DIR: LazyLock<Option<PathBuf>> =
    LazyLock::new(|| std::env::var_os(WEB_DIR_ENV).filter(|d| !d.is_empty()).map(PathBuf::from));

/// Reads [`WEB_DIR_ENV`] now: the server takes every `ATTUNE*` variable out of its
/// environment at start, so this must run before it does.
pub fn read_environment() {
    LazyLock::force(&WEB_DIR);
}

/// The answer to `method` `path` from the UI, or `None` when the UI does not serve it
/// (another method, or an API path).
pub fn respond(method: &Method, path: &str) -> Option<Response<Body>> {
    if (method != Method::GET && method != Method::HEAD) || path.starts_with("/api/") || path == "/api" {
        return None;
    }
    let relative = path.trim_start_matches('/');
    let response = match find(relative) {
        Some((content_type, bytes)) => file(relative, content_type, bytes),
        // A file that is not there (an asset, or a top-level name like `favicon.ico`) is a
        // 404; any other path is a page of the app — refs have dots (`/actions/core.echo`).
        None if relative.starts_with("assets/") || (!relative.contains('/') && relative.contains('.')) => not_found(),
        None => index(),
    };
    Some(secured(response))
}

/// The file at `relative` (`/`-separated, under the UI's root), with its content type.
fn find(relative: &str) -> Option<(&'static str, Cow<'static, [u8]>)> {
    if relative.is_empty() {
        return None;
    }
    if let Some(dir) = WEB_DIR.as_deref() {
        // Only plain names: nothing outside the directory is ever read.
        let plain = relative.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
        let bytes = plain.then(|| std::fs::read(dir.join(relative)).ok()).flatten()?;
        return Some((content_type(relative), Cow::Owned(bytes)));
    }
    let (_, content_type, bytes) = assets::ASSETS.iter().find(|(name, _, _)| *name == relative)?;
    Some((content_type, Cow::Borrowed(bytes)))
}

fn index() -> Response<Body> {
    match find("index.html") {
        Some((content_type, bytes)) => file("index.html", content_type, bytes),
        None => Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from(NOT_BUILT))
            .expect("a valid response"),
    }
}

fn file(name: &str, content_type: &'static str, bytes: Cow<'static, [u8]>) -> Response<Body> {
    let cache = if name.starts_with("assets/") && WEB_DIR.is_none() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let body = match bytes {
        Cow::Borrowed(bytes) => Body::from(bytes),
        Cow::Owned(bytes) => Body::from(bytes),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache)
        .body(body)
        .expect("a valid response")
}

fn not_found() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from("not found"))
        .expect("a valid response")
}

fn secured(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_and_other_methods_are_not_the_uis() {
        assert!(respond(&Method::GET, "/api/v1/nothing").is_none());
        assert!(respond(&Method::POST, "/executions").is_none());
    }

    #[test]
    fn pages_get_the_app_and_missing_files_a_404() {
        let page = respond(&Method::GET, "/executions/42").unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(page.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(respond(&Method::GET, "/assets/missing.js").unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(respond(&Method::GET, "/favicon-missing.png").unwrap().status(), StatusCode::NOT_FOUND);
        let page = respond(&Method::GET, "/actions/core.echo").unwrap();
        assert_eq!(page.status(), StatusCode::OK, "a ref's dot does not make a page a file");
    }
}
