//! The OpenAPI document: it lists exactly the routes of the access table, is a well-formed
//! OpenAPI 3 document whose references all resolve, and, walked operation by operation,
//! describes an API that refuses callers exactly as the access table says.

use std::collections::BTreeSet;

use attune_api::rbac::{Access, RULES, rule_for};
use attune_domain::identity::Verb;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApi;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

pub(crate) async fn document(api: &TestApi) -> Value {
    let (status, doc) = api.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Every `(METHOD, path, operation)` of a document.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths is an object");
    let mut found = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            assert!(METHODS.contains(&method.as_str()), "{path}: unexpected key {method}");
            found.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    found
}

/// Follows `$ref`s into the document's components.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("non-local reference {reference}"));
            let target = doc.pointer(pointer).unwrap_or_else(|| panic!("dangling reference {reference}"));
            resolve(doc, target)
        }
        None => value,
    }
}

/// Every `$ref` anywhere in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_of_the_access_table() {
    let api = TestApi::start().await;
    let doc = document(&api).await;
    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let listed: BTreeSet<(String, String)> = RULES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let undocumented: Vec<_> = listed.difference(&documented).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    let unknown: Vec<_> = documented.difference(&listed).collect();
    assert!(unknown.is_empty(), "documented operations that are not routes: {unknown:?}");
}

#[tokio::test]
async fn the_document_is_well_formed_openapi_3() {
    let api = TestApi::start().await;
    let doc = document(&api).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let mut refs = Vec::new();
    references(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        resolve(&doc, &json!({ "$ref": reference }));
    }
    let mut operation_ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let context = format!("{method} {path}");
        let operation_id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{context}: no operationId"));
        assert!(operation_ids.insert(operation_id.to_owned()), "{context}: duplicate operationId");
        let responses = operation["responses"].as_object().unwrap_or_else(|| panic!("{context}: no responses"));
        assert!(responses.keys().any(|s| s.starts_with('2') || s == "101"), "{context}: no success answer");
        let rule = rule_for(&Method::from_bytes(method.as_bytes()).unwrap(), &path).unwrap();
        let secured = operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        assert_eq!(secured, !matches!(rule.access, Access::Public), "{context}: security");
        if !matches!(rule.access, Access::Public) {
            let unauthorized = resolve(&doc, &responses["401"]);
            let schema = resolve(&doc, &unauthorized["content"]["application/json"]["schema"]);
            assert!(schema["properties"]["error"].is_object(), "{context}: 401 is not an error body");
        }
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let in_path: BTreeSet<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        assert_eq!(declared, in_path, "{context}: path parameters");
    }
}

/// A plausible value for a path parameter: ids are integers; refs name something that may
/// exist; logins name someone other than the caller, so that `SelfOr` routes check grants.
fn path_value(name: &str, schema: &Value) -> String {
    if schema["type"] == "integer" {
        return "1".into();
    }
    match name {
        "login" => "someone-else",
        "pack_ref" => "core",
        "set_ref" => "viewer",
        "action_ref" => "core.noop",
        "trigger_ref" => "core.webhook",
        "sensor_ref" => "core.watcher",
        "rule_ref" => "core.sample",
        "runtime_ref" => "core.shell",
        _ => "sample",
    }
    .into()
}

/// The operation's path with its parameters filled in from their schemas.
pub(crate) fn request_uri(path: &str, operation: &Value) -> String {
    let mut uri = path.to_owned();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "path" {
            let name = parameter["name"].as_str().unwrap();
            uri = uri.replace(&format!("{{{name}}}"), &path_value(name, &parameter["schema"]));
        }
    }
    uri
}

/// A sample of a schema: required properties only, strings that name things that exist.
fn sample(doc: &Value, schema: &Value, name: &str) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()).and_then(|s| s.first()) {
        return sample(doc, first, name);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or(Value::Null),
        kind => kind.clone(),
    };
    match kind.as_str() {
        Some("object") => {
            let mut object = serde_json::Map::new();
            for required in schema["required"].as_array().into_iter().flatten() {
                let key = required.as_str().unwrap();
                object.insert(key.into(), sample(doc, &schema["properties"][key], key));
            }
            Value::Object(object)
        }
        Some("array") => json!([]),
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(true),
        Some("string") => json!(match name {
            "ref" => "core.sample",
            "action_ref" | "action" => "core.noop",
            "trigger" => "core.webhook",
            _ => "sample-value",
        }),
        _ => json!({}),
    }
}

pub(crate) fn request_body(doc: &Value, operation: &Value) -> Option<Value> {
    let body = resolve(doc, &operation["requestBody"]);
    // Only JSON bodies: an archive upload (`application/gzip`) is checked as an archive.
    body.get("content").and_then(|content| content.get("application/json")).map(|json| sample(doc, &json["schema"], ""))
}

/// Whether a viewer (`*:view`) may do what a route needs, from the access table.
fn viewer_may(access: Access, method: &str) -> Option<bool> {
    match access {
        Access::Public | Access::Authenticated => None,
        Access::Grant { verb, .. } | Access::SelfOr { verb, .. } | Access::SignedOr { verb, .. } => {
            Some(verb == Verb::View)
        }
        // The handler checks the grant named by the request; reads need `view`.
        Access::InHandler(_) => Some(method == "GET"),
    }
}

#[tokio::test]
async fn walking_the_document_every_operation_refuses_as_the_access_table_says() {
    let api = TestApi::start().await;
    let viewer = api.identity_with("vera", &["viewer"]).await;
    let doc = document(&api).await;
    let mut refused = 0;
    for (method, path, operation) in operations(&doc) {
        let rule = rule_for(&Method::from_bytes(method.as_bytes()).unwrap(), &path).unwrap();
        let uri = request_uri(&path, &operation);
        let body = request_body(&doc, &operation);
        let context = |result: &(StatusCode, Value)| format!("{method} {uri} {body:?}: {} {}", result.0, result.1);

        if matches!(rule.access, Access::Public) {
            // Nothing to refuse (a login may still answer 401 for a wrong password).
            continue;
        }
        let anonymous = api.call(&method, &uri, None, body.clone()).await;
        assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{}", context(&anonymous));
        assert_eq!(anonymous.1["error"]["code"], "unauthorized", "{}", context(&anonymous));

        let as_viewer = api.call(&method, &uri, Some(&viewer), body.clone()).await;
        assert!(as_viewer.0.as_u16() < 500, "{}", context(&as_viewer));
        match viewer_may(rule.access, &method) {
            Some(false) => {
                assert_eq!(as_viewer.0, StatusCode::FORBIDDEN, "a viewer is refused: {}", context(&as_viewer));
                assert_eq!(as_viewer.1["error"]["code"], "forbidden", "{}", context(&as_viewer));
                refused += 1;
            }
            Some(true) | None => {
                assert_ne!(as_viewer.0, StatusCode::FORBIDDEN, "a viewer may: {}", context(&as_viewer));
            }
        }
    }
    assert!(refused > 20, "only {refused} operations refused a viewer");
    assert_eq!(api.get("/api/v1/packs/core").await.0, StatusCode::OK, "nothing above went through");
}

#[tokio::test]
async fn swagger_ui_is_served_without_a_credential_and_points_at_the_document() {
    let api = TestApi::start().await;
    for (uri, content_type, needle) in [
        ("/docs", "text/html", "/api/v1/openapi.json"),
        ("/docs/swagger-ui-bundle.js", "text/javascript", "SwaggerUIBundle"),
        ("/docs/swagger-ui.css", "text/css", ".swagger-ui"),
    ] {
        let request = axum::http::Request::builder().uri(uri).body(axum::body::Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(api.router.clone(), request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let served = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(served.starts_with(content_type), "{uri}: {served}");
        let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains(needle), "{uri} does not mention {needle}");
    }
    let missing = api.call("GET", "/docs/secrets.txt", None, None).await;
    crate::support::assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
}

/// The web UI's API client is generated from a copy of this document
/// (`web/src/api/openapi.json`); a change to the API must come with a fresh copy and client.
#[tokio::test]
async fn the_web_uis_copy_of_the_document_is_current() {
    let api = TestApi::start().await;
    let copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/src/api/openapi.json");
    let text = std::fs::read_to_string(&copy).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
    let copied: Value = serde_json::from_str(&text).expect("the copy is JSON");
    assert!(
        copied == document(&api).await,
        "web/src/api/openapi.json is stale: run `scripts/build-web.sh --api` to copy the document and \
         regenerate the client"
    );
}
