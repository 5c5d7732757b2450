//! The web UI served by the binary itself: `/` and any page path answer the app's
//! `index.html` (compiled in from `web/dist`, with nothing beside the binary), its hashed
//! assets are served for ever-caching, missing files and API paths are 404s of their own
//! kind, and every UI answer carries the Content-Security-Policy.

use crate::support::{Server, attune, repo};

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.unwrap()
}

#[tokio::test]
async fn the_binary_serves_the_ui_it_was_built_with() {
    let built = std::fs::read_to_string(repo().join("web/dist/index.html"))
        .expect("web/dist/index.html: build the web UI first (scripts/build-web.sh; the test command does)");
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    // Nothing beside the binary: no directory is served instead of the compiled-in files.
    command.env_remove("ATTUNE_WEB_DIR");
    let server = Server::start(command);

    for page in ["/", "/executions/42", "/actions/core.echo", "/rules/new?x=1"] {
        let response = get(&format!("{}{page}", server.url)).await;
        assert_eq!(response.status(), 200, "{page}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8", "{page}");
        assert_eq!(headers["cache-control"], "no-cache", "{page}");
        let policy = headers["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(response.text().await.unwrap(), built, "{page} is the app");
    }

    let script = built
        .split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(".js"))
        .expect("index.html loads a script from /assets/");
    let response = get(&format!("{}{script}", server.url)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    let on_disk = std::fs::read(repo().join("web/dist").join(script.trim_start_matches('/'))).unwrap();
    assert_eq!(response.bytes().await.unwrap().as_ref(), on_disk.as_slice());

    let missing = get(&format!("{}/assets/missing-0000.js", server.url)).await;
    assert_eq!(missing.status(), 404);
    let api = get(&format!("{}/api/v1/no-such-route", server.url)).await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "API paths keep the API's answers");
    let posted = reqwest::Client::new().post(format!("{}/executions", server.url)).send().await.unwrap();
    assert_eq!(posted.status(), 404, "only GET and HEAD reach the UI");
}
