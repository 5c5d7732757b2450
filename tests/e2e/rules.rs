//! Events and rules through the real binary: a webhook post matching a rule runs its action
//! with templated parameters; a post the criteria reject runs nothing.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, attune};

#[tokio::test]
async fn a_webhook_post_runs_the_matching_rules_action() {
    let data = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "rules-e2e-password");
    let server = Server::start(command);
    let token = server.login("admin", "rules-e2e-password").await;

    let rule = json!({
        "ref": "core.notify_on_error",
        "trigger": "core.webhook",
        "trigger_parameters": {"name": "alerts"},
        "criteria": {
            "trigger.body.level": {"type": "equals", "pattern": "error"},
            "trigger.body.service": {"type": "matchregex", "pattern": "^api-"},
        },
        "action": "core.echo",
        "parameters": {"message": "{{ event.payload.body.service }} failed (rule {{ system.rule.ref }})"},
    });
    webhook_rule(&server, &token, "alerts", rule).await;

    // Rejected by the criteria, then accepted: only the second runs the action.
    let ignored = post(&server, &token, json!({"level": "info", "service": "api-gw"})).await;
    let matched = post(&server, &token, json!({"level": "error", "service": "api-gw"})).await;

    let execution = wait_for_execution(&server, &token, "core.notify_on_error").await;
    assert_eq!(execution["status"], "completed", "{execution}");
    assert_eq!(execution["result"], json!({"stdout": "api-gw failed (rule core.notify_on_error)\n"}));
    let (_, enforcements) =
        server.call("GET", &format!("/api/v1/enforcements?event={matched}"), Some(&token), None).await;
    assert_eq!(enforcements["pagination"]["total"], 1);
    assert_eq!(enforcements["data"][0]["status"], "processed");
    let (_, none) = server.call("GET", &format!("/api/v1/enforcements?event={ignored}"), Some(&token), None).await;
    assert_eq!(none["pagination"]["total"], 0);
    let (_, all) = server.call("GET", "/api/v1/executions?rule=core.notify_on_error", Some(&token), None).await;
    assert_eq!(all["pagination"]["total"], 1, "the rejected post ran nothing");
}

async fn post(server: &Server, token: &str, body: Value) -> i64 {
    let (status, accepted) = server.call("POST", "/api/v1/webhooks/alerts", Some(token), Some(body)).await;
    assert_eq!(status, 202, "{accepted}");
    accepted["data"]["event"].as_i64().unwrap()
}

/// Creates `rule` and the webhook `name` it is triggered by.
pub async fn webhook_rule(server: &Server, token: &str, name: &str, rule: Value) {
    let (status, created) = server.call("POST", "/api/v1/rules", Some(token), Some(rule)).await;
    assert_eq!(status, 201, "{created}");
    let webhook = json!({"name": name, "secret": "e2e-webhook-secret-123"});
    let (status, created) = server.call("POST", "/api/v1/webhooks", Some(token), Some(webhook)).await;
    assert_eq!(status, 201, "{created}");
}

/// Waits for the first execution caused by `rule` to end.
pub async fn wait_for_execution(server: &Server, token: &str, rule: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, list) = server.call("GET", &format!("/api/v1/executions?rule={rule}"), Some(token), None).await;
        if let Some(execution) = list["data"].as_array().and_then(|items| items.first())
            && ["completed", "failed", "timeout"].contains(&execution["status"].as_str().unwrap_or_default())
        {
            return execution.clone();
        }
        assert!(Instant::now() < deadline, "no execution of rule {rule} ended: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
