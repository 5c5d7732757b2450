//! Access control: the table against the router (every route has a rule, every rule a
//! route), credentials on every non-public route, and what built-in and custom roles may do.

use std::collections::BTreeSet;

use attune_api::rbac::{Access, PackFrom, RULES, Rule};
use attune_services::rbac::Need;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApi, assert_error, register_vault_pack};

/// The `(method, path)` pairs a router serves (`HEAD` left out: it follows `GET`). axum has
/// no API listing routes, so they are read from the router's `Debug` output; if that output
/// changes shape this fails loudly rather than finding nothing.
fn routes_of(router: &axum::Router) -> BTreeSet<(String, String)> {
    let text = format!("{router:?}");
    let start = text.find("path_router: PathRouter { routes: {").unwrap_or_else(|| unreadable(&text));
    let end = text.find("fallback_router:").unwrap_or_else(|| unreadable(&text));
    let main = &text[start..end];
    let split = main.find("node: Node { paths: {").unwrap_or_else(|| unreadable(&text));
    let (endpoints, paths) = main.split_at(split);

    let mut path_of = std::collections::HashMap::new();
    for entry in paths.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once("): \"").unwrap_or_else(|| unreadable(&text));
        let path = rest.split('"').next().unwrap_or_else(|| unreadable(&text));
        path_of.insert(id.to_owned(), path.to_owned());
    }
    let mut routes = BTreeSet::new();
    for entry in endpoints.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once(')').unwrap_or_else(|| unreadable(&text));
        let path = path_of.get(id).unwrap_or_else(|| unreadable(&text));
        let Some(methods) = rest.split("allow_header: Bytes(b\"").nth(1) else {
            panic!("route {path} does not list its methods (a service, or any method): give it explicit methods");
        };
        for method in methods.split('"').next().unwrap_or_default().split(',') {
            if method != "HEAD" {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert!(routes.contains(&("GET".to_owned(), "/health".to_owned())), "no /health among {routes:?}: {text}");
    routes
}

fn unreadable<T>(text: &str) -> T {
    panic!("cannot read the routes from the router's Debug output; update routes_of(): {text}")
}

#[tokio::test]
async fn the_access_table_lists_exactly_the_routes_of_the_router() {
    let api = TestApi::start().await;
    let served = routes_of(&api.router);
    let listed: BTreeSet<(String, String)> = RULES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let unlisted: Vec<_> = served.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "routes without an access rule (add them to RULES in host/api/src/rbac.rs): {unlisted:?}"
    );
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(stale.is_empty(), "access rules for routes that do not exist: {stale:?}");
}

/// A request path for a route pattern, with placeholders filled in.
fn sample_uri(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{login}", "someone-else")
        .replace("{set_ref}", "viewer")
        .replace("{pack_ref}", "core")
        .replace("{name}", "sample")
        .replace("{action_ref}", "core.noop")
        .replace("{trigger_ref}", "core.webhook")
        .replace("{sensor_ref}", "core.watcher")
        .replace("{rule_ref}", "core.sample")
        .replace("{policy_ref}", "core.sample")
        .replace("{runtime_ref}", "core.shell")
        .replace("{workflow_ref}", "core.sample")
        .replace("{version}", "1.0.0")
}

/// A body the route accepts, so that refusals come from access checks and not from parsing.
fn sample_body(rule: &Rule) -> Option<Value> {
    match (rule.method, rule.path) {
        ("POST", "/api/v1/executions") => Some(json!({"action_ref": "core.noop"})),
        ("POST", "/api/v1/rules") | ("PUT", "/api/v1/rules/{rule_ref}") => Some(json!({
            "ref": "core.sample", "trigger": "core.webhook", "action": "core.noop",
        })),
        ("PUT", "/api/v1/keys/{name}") => Some(json!({"value": "v"})),
        ("POST", "/api/v1/policies") | ("PUT", "/api/v1/policies/{policy_ref}") => Some(json!({
            "ref": "core.sample", "action": "core.noop", "type": "concurrency", "threshold": 1,
        })),
        ("POST", "/api/v1/inquiries/{id}/respond") => Some(json!({"response": {}})),
        ("POST", "/api/v1/auth/password") => {
            Some(json!({"current_password": "not-the-password", "new_password": "a-long-new-password"}))
        }
        ("GET" | "DELETE", _) => None,
        _ => Some(json!({})),
    }
}

/// What a refusal of `rule` says, for the sample request.
fn expected_refusal(rule: &Rule) -> String {
    let (resource, verb, pack) = match rule.access {
        Access::Grant { resource, verb, pack } => {
            let pack = match pack {
                PackFrom::Ref(_) | PackFrom::Pack(_) => Some("core"),
                PackFrom::Nothing | PackFrom::PackFilter | PackFrom::ExecutionAction(_) => None,
            };
            (resource, verb, pack)
        }
        Access::SelfOr { resource, verb } | Access::SignedOr { resource, verb } => (resource, verb, None),
        other => panic!("{other:?} is not refused by the table"),
    };
    // The sample set ref `viewer` is a bare name: no pack.
    let pack = if rule.path.contains("{set_ref}") && resource == "permission_set" { None } else { pack };
    format!("needs {}", Need::new(resource, verb).in_pack(pack))
}

#[tokio::test]
async fn every_route_but_the_public_ones_needs_a_credential() {
    let api = TestApi::start().await;
    for rule in RULES {
        let uri = sample_uri(rule.path);
        for credential in [None, Some("garbage"), Some("atk_0123456789abcdef"), Some("a.b.c")] {
            let result = api.call(rule.method, &uri, credential, sample_body(rule)).await;
            match (rule.access, credential) {
                (Access::Public, _) => {
                    assert_ne!(result.0, StatusCode::UNAUTHORIZED, "{} {uri}: {}", rule.method, result.1)
                }
                _ => {
                    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
                }
            }
        }
    }
    assert_eq!(api.get("/api/v1/packs/core").await.0, StatusCode::OK, "nothing above went through");
}

#[tokio::test]
async fn an_identity_without_grants_is_refused_everything_but_its_own() {
    let api = TestApi::start().await;
    let nobody = api.identity_with("nobody", &[]).await;
    for rule in RULES {
        let uri = sample_uri(rule.path);
        let result = api.call(rule.method, &uri, Some(&nobody), sample_body(rule)).await;
        let context = format!("{} {uri}: {}", rule.method, result.1);
        match rule.access {
            Access::Public => {}
            Access::Authenticated => assert!(!matches!(result.0.as_u16(), 401 | 403 | 500), "{context}"),
            Access::InHandler(_) => assert_eq!(result.0, StatusCode::FORBIDDEN, "{context}"),
            _ => {
                let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
                assert_eq!(message, expected_refusal(rule), "{context}");
            }
        }
    }
    // Its own record, permission sets and keys need no grant.
    for uri in
        ["/api/v1/identities/nobody", "/api/v1/identities/nobody/permission-sets", "/api/v1/identities/nobody/api-keys"]
    {
        let (status, body) = api.call("GET", uri, Some(&nobody), None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (status, body) = api.call("GET", "/api/v1/keys?scope=identity", Some(&nobody), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_viewer_reads_everything_and_changes_nothing() {
    let api = TestApi::start().await;
    let viewer = api.identity_with("vera", &["viewer"]).await;
    for rule in RULES {
        let uri = sample_uri(rule.path);
        let result = api.call(rule.method, &uri, Some(&viewer), sample_body(rule)).await;
        let context = format!("{} {uri}: {}", rule.method, result.1);
        let reads = rule.method == "GET";
        match rule.access {
            Access::Public | Access::Authenticated => {}
            // The stream lets a viewer in; a request that is no WebSocket upgrade goes no further.
            _ if rule.path == "/api/v1/stream" => assert_eq!(result.0, StatusCode::UPGRADE_REQUIRED, "{context}"),
            // The audit log is the administrators' alone: viewing everything does not reach it.
            _ if rule.path == "/api/v1/audit" => {
                let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
                assert_eq!(message, expected_refusal(rule), "{context}");
            }
            _ if reads => assert!(
                matches!(result.0, StatusCode::OK | StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
                "a viewer reads: {context}"
            ),
            Access::InHandler(_) => assert_eq!(result.0, StatusCode::FORBIDDEN, "{context}"),
            _ => {
                let message = assert_error(&result, StatusCode::FORBIDDEN, "forbidden");
                assert_eq!(message, expected_refusal(rule), "{context}");
            }
        }
    }
    let (status, packs) = api.call("GET", "/api/v1/packs", Some(&viewer), None).await;
    assert_eq!((status, packs["data"][0]["ref"].as_str()), (StatusCode::OK, Some("core")));
}

#[tokio::test]
async fn an_operator_runs_and_cancels_but_does_not_author() {
    let api = TestApi::start().await;
    let operator = api.identity_with("olga", &["operator"]).await;
    let (status, created) =
        api.call("POST", "/api/v1/actions/core.noop/execute", Some(&operator), Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let (status, body) =
        api.call("POST", "/api/v1/executions", Some(&operator), Some(json!({"action_ref": "core.noop"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = api.call("POST", &format!("/api/v1/executions/{id}/cancel"), Some(&operator), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api.call("POST", &format!("/api/v1/executions/{id}/rerun"), Some(&operator), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let path = crate::support::shipped_packs().join("core");
    let register = json!({"path": path.display().to_string()});
    let result = api.call("POST", "/api/v1/packs/register", Some(&operator), Some(register)).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs create on pack");
    let result = api.call("DELETE", "/api/v1/packs/core", Some(&operator), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs delete on pack core");
    let rule = json!({"ref": "core.on_alert", "trigger": "core.webhook", "action": "core.noop"});
    let result = api.call("POST", "/api/v1/rules", Some(&operator), Some(rule.clone())).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs create on rule in pack core");

    // Operators switch rules on and off.
    assert_eq!(api.post("/api/v1/rules", rule).await.0, StatusCode::CREATED);
    let (status, body) = api.call("POST", "/api/v1/rules/core.on_alert/disable", Some(&operator), None).await;
    assert_eq!((status, body["data"]["enabled"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
}

#[tokio::test]
async fn pack_scoped_grants_reach_only_their_pack() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let set = json!({"ref": "core-runners", "grants": ["action@core:view,execute", {"resource": "execution", "pack": "core", "verbs": ["view"]}]});
    let (status, body) = api.post("/api/v1/permission-sets", set).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let runner = api.identity_with("carl", &["core-runners"]).await;

    let (status, created) = api.call("POST", "/api/v1/actions/core.noop/execute", Some(&runner), Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let vault_run = json!({"parameters": {"user": "u", "password": "p"}});
    let result = api.call("POST", "/api/v1/actions/vault.login/execute", Some(&runner), Some(vault_run)).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on action in pack vault");
    let by_body = json!({"action_ref": "vault.login", "parameters": {"user": "u", "password": "p"}});
    let result = api.call("POST", "/api/v1/executions", Some(&runner), Some(by_body)).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on action in pack vault");
    let (status, body) =
        api.call("POST", "/api/v1/executions", Some(&runner), Some(json!({"action_ref": "core.noop"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    assert_eq!(api.call("GET", "/api/v1/actions/core.noop", Some(&runner), None).await.0, StatusCode::OK);
    let result = api.call("GET", "/api/v1/actions/vault.login", Some(&runner), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs view on action in pack vault");
    let result = api.call("GET", "/api/v1/actions", Some(&runner), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs view on action");
    let (status, listed) = api.call("GET", "/api/v1/actions?pack=core", Some(&runner), None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert!(listed["data"].as_array().unwrap().iter().all(|a| a["pack_ref"] == "core"));
    let result = api.call("GET", "/api/v1/actions?pack=vault", Some(&runner), None).await;
    assert_error(&result, StatusCode::FORBIDDEN, "forbidden");

    // The execution's action decides its pack.
    let (status, body) = api.call("GET", &format!("/api/v1/executions/{id}"), Some(&runner), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result = api.call("POST", &format!("/api/v1/executions/{id}/cancel"), Some(&runner), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs modify on execution in pack core");
    let (status, body) = api.call("POST", &format!("/api/v1/executions/{id}/rerun"), Some(&runner), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn rules_run_only_actions_their_author_may_run() {
    let api = TestApi::start().await;
    register_vault_pack(&api).await;
    let set = json!({"ref": "core-authors", "grants": ["rule@core:view,create,modify", "action@core:execute"]});
    assert_eq!(api.post("/api/v1/permission-sets", set).await.0, StatusCode::CREATED);
    let author = api.identity_with("rita", &["core-authors"]).await;
    let rule = |action: &str| json!({"ref": "core.on_alert", "trigger": "core.webhook", "action": action});
    let result = api.call("POST", "/api/v1/rules", Some(&author), Some(rule("vault.login"))).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on action in pack vault");
    let (status, body) = api.call("POST", "/api/v1/rules", Some(&author), Some(rule("core.noop"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let result = api.call("PUT", "/api/v1/rules/core.on_alert", Some(&author), Some(rule("vault.login"))).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on action in pack vault");
    let result = api.call("DELETE", "/api/v1/rules/core.on_alert", Some(&author), None).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs delete on rule in pack core");
    assert_eq!(api.get("/api/v1/rules/core.on_alert").await.1["data"]["action_ref"], "core.noop");
}

#[tokio::test]
async fn webhook_posts_need_execute_with_a_credential_and_nothing_when_signed() {
    let api = TestApi::start().await;
    let viewer = api.identity_with("vera", &["viewer"]).await;
    let result = api.call("POST", "/api/v1/webhooks/alerts", Some(&viewer), Some(json!({}))).await;
    assert_eq!(assert_error(&result, StatusCode::FORBIDDEN, "forbidden"), "needs execute on webhook");
    let operator = api.identity_with("olga", &["operator"]).await;
    let (status, body) = api.call("POST", "/api/v1/webhooks/alerts", Some(&operator), Some(json!({}))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let secret = "a-webhook-secret-of-some-length";
    let created = api.post("/api/v1/webhooks", json!({"name": "signed", "secret": secret})).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    let body = r#"{"level": "error"}"#;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/webhooks/signed")
        .header("content-type", "application/json")
        .header("x-attune-signature", attune_services::webhooks::sign(secret, body.as_bytes()))
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, body) = api.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn me_shows_the_permission_sets_and_grants_of_any_caller() {
    let api = TestApi::start().await;
    let viewer = api.identity_with("vera", &["viewer"]).await;
    let (status, me) = api.call("GET", "/api/v1/auth/me", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["data"]["login"], "vera");
    assert_eq!(me["data"]["permission_sets"], json!(["viewer"]));
    assert_eq!(me["data"]["grants"], json!([{"resource": "*", "verbs": ["view"]}]));
    let nobody = api.identity_with("nobody", &[]).await;
    let (status, me) = api.call("GET", "/api/v1/auth/me", Some(&nobody), None).await;
    assert_eq!((status, me["data"]["permission_sets"].clone()), (StatusCode::OK, json!([])));
}
