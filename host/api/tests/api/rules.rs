//! Rules over HTTP: created, changed and deleted with the checks pack files get.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApi, assert_error};

fn webhook_rule() -> serde_json::Value {
    json!({
        "ref": "core.echo_alerts",
        "trigger": "core.webhook",
        "trigger_parameters": {"name": "alerts"},
        "criteria": {"trigger.body.level": {"type": "equals", "pattern": "error"}},
        "action": "core.echo",
        "parameters": {"message": "{{ event.payload.body.service }} failed"},
    })
}

#[tokio::test]
async fn creates_changes_toggles_and_deletes_rules() {
    let api = TestApi::start().await;
    let (status, created) = api.post("/api/v1/rules", webhook_rule()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["trigger_ref"], "core.webhook");
    assert_eq!(created["data"]["enabled"], true);
    assert_eq!(created["data"]["label"], "echo_alerts");
    assert_error(&api.post("/api/v1/rules", webhook_rule()).await, StatusCode::CONFLICT, "conflict");

    let mut changed = webhook_rule();
    changed["criteria"] = json!({"trigger.body.level": {"type": "iequals", "pattern": "ERROR"}});
    let (status, updated) = api.call("PUT", "/api/v1/rules/core.echo_alerts", Some(&api.token), Some(changed)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["data"]["criteria"]["trigger.body.level"]["type"], "iequals");
    assert_eq!(updated["data"]["id"], created["data"]["id"]);

    let (_, disabled) = api.post("/api/v1/rules/core.echo_alerts/disable", json!({})).await;
    assert_eq!(disabled["data"]["enabled"], false);
    let (_, listed) = api.get("/api/v1/rules?enabled=false&trigger=core.webhook").await;
    assert_eq!(listed["pagination"]["total"], 1);
    let (_, enabled) = api.post("/api/v1/rules/core.echo_alerts/enable", json!({})).await;
    assert_eq!(enabled["data"]["enabled"], true);
    let (_, by_action) = api.get("/api/v1/rules?action=core.noop").await;
    assert_eq!(by_action["pagination"]["total"], 0);

    let (status, _) = api.call("DELETE", "/api/v1/rules/core.echo_alerts", Some(&api.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(&api.get("/api/v1/rules/core.echo_alerts").await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn invalid_rules_are_refused_naming_the_field() {
    let api = TestApi::start().await;
    let cases = [
        ("trigger", json!("core.nope")),
        ("action", json!("core.nope")),
        ("criteria", json!({"x": {"type": "looks_like", "pattern": 1}})),
        ("parameters", json!({"colour": "red"})),
        ("trigger_parameters", json!({"name": 42})),
    ];
    for (field, value) in cases {
        let mut rule = webhook_rule();
        rule[field] = value;
        let result = api.post("/api/v1/rules", rule).await;
        let message = assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let fields = &result.1["error"]["details"]["fields"];
        assert!(fields.as_array().unwrap().iter().any(|f| f["field"] == field), "{field}: {message}");
    }
    let mut bad_ref = webhook_rule();
    bad_ref["ref"] = json!("no-pack-part");
    assert_error(&api.post("/api/v1/rules", bad_ref).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut unknown_pack = webhook_rule();
    unknown_pack["ref"] = json!("ghost.rule");
    assert_error(&api.post("/api/v1/rules", unknown_pack).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut extra = webhook_rule();
    extra["colour"] = json!("red");
    assert_error(&api.post("/api/v1/rules", extra).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    api.post("/api/v1/rules", webhook_rule()).await;
    let mut renamed = webhook_rule();
    renamed["ref"] = json!("core.other");
    let result = api.call("PUT", "/api/v1/rules/core.echo_alerts", Some(&api.token), Some(renamed)).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let missing = api.call("PUT", "/api/v1/rules/core.nothing", Some(&api.token), Some(webhook_rule())).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    assert_error(&api.post("/api/v1/rules/core.nothing/enable", json!({})).await, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(api.get("/api/v1/rules").await.1["pagination"]["total"], 1, "nothing else was stored");
}

#[tokio::test]
async fn replacing_a_rule_needs_what_creating_one_does_and_authors_are_recorded() {
    let api = TestApi::start().await;
    let (_, created) = api.post("/api/v1/rules", webhook_rule()).await;
    assert_eq!(created["data"]["created_by"], 1, "{created}");
    assert_eq!(created["data"]["updated_by"], 1);

    // An operator may enable and disable rules, not rewrite what they run.
    let operator = api.identity_with("ops", &["operator"]).await;
    let mut rewritten = webhook_rule();
    rewritten["parameters"] = json!({"message": "{{ kv(\"db_password\") }}"});
    let refused = api.call("PUT", "/api/v1/rules/core.echo_alerts", Some(&operator), Some(rewritten.clone())).await;
    let message = assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert!(message.contains("create on rule in pack core"), "{message}");
    let toggled = api.call("POST", "/api/v1/rules/core.echo_alerts/disable", Some(&operator), None).await;
    assert_eq!(toggled.0, StatusCode::OK, "{}", toggled.1);

    let editor_token = api.identity_with("ed", &["editor"]).await;
    let (status, replaced) =
        api.call("PUT", "/api/v1/rules/core.echo_alerts", Some(&editor_token), Some(rewritten)).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        (replaced["data"]["created_by"].as_i64(), replaced["data"]["updated_by"].as_i64().is_some()),
        (Some(1), true)
    );
    assert_ne!(replaced["data"]["updated_by"], 1, "the editor wrote it last");
}

#[tokio::test]
async fn templates_using_what_the_environment_refuses_are_refused_when_saved() {
    let api = TestApi::start().await;
    for template in ["{% include \"/etc/passwd\" %}", "{% for i in [1] %}{% set_global x = 1 %}{% endfor %}", "{{ oops"]
    {
        let mut rule = webhook_rule();
        rule["parameters"] = json!({"message": template});
        let result = api.post("/api/v1/rules", rule).await;
        assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let fields = &result.1["error"]["details"]["fields"];
        assert!(fields.as_array().unwrap().iter().any(|f| f["field"] == "parameters"), "{template}: {}", result.1);
    }
}
