//! Events through rules to executions: templated parameters, criteria that do not match,
//! enforcements that fail with a reason, disabled rules, lost announcements.

use std::time::Duration;

use attune_domain::Id;
use attune_domain::event::{Enforcement, NewEvent};
use attune_domain::execution::{Execution, ExecutionFilter};
use attune_domain::page::PageRequest;
use attune_domain::rule::NewRule;
use attune_domain::status::{EnforcementStatus, ExecutionStatus};
use attune_services::webhooks::{Post, Proof};
use attune_store::EnforcementFilter;
use attune_test_support::{Backend, backend_tests};
use serde_json::{Value, json};

use crate::support::Pipeline;

backend_tests!(
    a_webhook_runs_a_rules_action_with_templated_parameters,
    criteria_that_do_not_match_run_nothing,
    a_broken_template_or_invalid_parameters_end_the_enforcement_with_a_reason,
    a_disabled_rule_records_its_match_and_runs_nothing,
    an_event_nobody_announced_is_evaluated_anyway,
    a_rules_executions_act_as_its_last_author,
    templates_reach_no_host_and_only_the_keys_their_author_may_read,
);

fn alert_rule(rule_ref: &str, message: &str) -> NewRule {
    NewRule {
        r#ref: rule_ref.into(),
        label: "alerts".into(),
        description: None,
        trigger_ref: "core.webhook".into(),
        trigger_params: json!({"name": "alerts"}),
        criteria: json!({"trigger.body.level": {"type": "equals", "pattern": "error"}}),
        action_ref: "core.echo".into(),
        action_params: json!({"message": message}),
        enabled: true,
        author: None,
    }
}

/// Posts `body` to webhook `name` as the admin would; returns the event id.
async fn post(pipeline: &Pipeline, name: &str, body: Value) -> Id {
    let post = Post {
        name: name.into(),
        headers: [("content-type".to_string(), "application/json".to_string())].into(),
        body: body.to_string().into_bytes(),
    };
    attune_services::webhooks::fire(&pipeline.platform, post, Some(Proof::Caller(pipeline.admin().await)))
        .await
        .unwrap()
        .id
}

/// Waits until the event's rules were evaluated; returns its enforcements.
async fn enforcements_of(pipeline: &Pipeline, event: Id) -> Vec<Enforcement> {
    let store = &pipeline.platform.store;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while store.get_event(event).await.unwrap().processed.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "event {event} was never processed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let filter = EnforcementFilter { event: Some(event), ..EnforcementFilter::default() };
    store.list_enforcements(&filter, PageRequest::default()).await.unwrap().items
}

async fn executions_of(pipeline: &Pipeline, enforcement: Id) -> Vec<Execution> {
    let filter = ExecutionFilter { enforcement: Some(enforcement), ..ExecutionFilter::default() };
    pipeline.platform.store.list_executions(&filter, PageRequest::default()).await.unwrap().items
}

async fn a_webhook_runs_a_rules_action_with_templated_parameters(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let rule = alert_rule("core.echo_alerts", "{{ event.payload.body.service }} failed (event {{ event.id }})");
    attune_services::rules::create(&pipeline.platform, rule).await.unwrap();
    let event = post(&pipeline, "alerts", json!({"level": "error", "service": "api-gw"})).await;

    let enforcements = enforcements_of(&pipeline, event).await;
    assert_eq!(enforcements.len(), 1);
    let enforcement = &enforcements[0];
    assert_eq!((enforcement.status, enforcement.reason.as_deref()), (EnforcementStatus::Processed, None));
    assert_eq!(enforcement.rule_ref, "core.echo_alerts");
    assert_eq!(enforcement.config["action_ref"], "core.echo", "the rule is snapshotted");
    let executions = executions_of(&pipeline, enforcement.id).await;
    assert_eq!(executions.len(), 1);
    let done = pipeline.finished(executions[0].id).await;
    assert_eq!(done.status, ExecutionStatus::Completed, "{:?}", done.result);
    assert_eq!(done.result, Some(json!({"stdout": format!("api-gw failed (event {event})\n")})));
    assert_eq!(
        (done.rule_ref.as_deref(), done.trigger_ref.as_deref()),
        (Some("core.echo_alerts"), Some("core.webhook"))
    );
    pipeline.stop().await;
}

async fn criteria_that_do_not_match_run_nothing(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    attune_services::rules::create(&pipeline.platform, alert_rule("core.echo_alerts", "{{ event.id }}")).await.unwrap();
    let info = post(&pipeline, "alerts", json!({"level": "info", "service": "api-gw"})).await;
    let elsewhere = post(&pipeline, "other-hook", json!({"level": "error"})).await;
    assert!(enforcements_of(&pipeline, info).await.is_empty(), "criteria do not hold");
    assert!(enforcements_of(&pipeline, elsewhere).await.is_empty(), "another webhook's posts do not concern the rule");
    let all =
        pipeline.platform.store.list_executions(&ExecutionFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(all.total, 0);
    pipeline.stop().await;
}

async fn a_broken_template_or_invalid_parameters_end_the_enforcement_with_a_reason(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    attune_services::rules::create(
        &pipeline.platform,
        alert_rule("core.bad_template", "{{ event.payload.body.nothing.here }}"),
    )
    .await
    .unwrap();
    let mut wrong_type = alert_rule("core.bad_parameters", "ignored");
    wrong_type.action_ref = "core.sleep".into();
    wrong_type.action_params = json!({"seconds": "{{ event.payload.body.service }}"});
    attune_services::rules::create(&pipeline.platform, wrong_type).await.unwrap();

    let event = post(&pipeline, "alerts", json!({"level": "error", "service": "api-gw"})).await;
    let mut enforcements = enforcements_of(&pipeline, event).await;
    enforcements.sort_by(|a, b| a.rule_ref.cmp(&b.rule_ref));
    assert_eq!(enforcements.len(), 2);
    let reason = |i: usize| enforcements[i].reason.clone().unwrap_or_default();
    assert_eq!(enforcements[0].rule_ref, "core.bad_parameters");
    assert!(reason(0).contains("seconds"), "{}", reason(0));
    assert_eq!(enforcements[1].rule_ref, "core.bad_template");
    assert!(reason(1).contains("parameters.message"), "{}", reason(1));
    for enforcement in &enforcements {
        assert_eq!(enforcement.status, EnforcementStatus::Processed);
        assert!(executions_of(&pipeline, enforcement.id).await.is_empty());
    }
    pipeline.stop().await;
}

async fn a_disabled_rule_records_its_match_and_runs_nothing(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let mut rule = alert_rule("core.echo_alerts", "{{ event.id }}");
    rule.enabled = false;
    attune_services::rules::create(&pipeline.platform, rule).await.unwrap();
    let event = post(&pipeline, "alerts", json!({"level": "error"})).await;
    let enforcements = enforcements_of(&pipeline, event).await;
    assert_eq!(enforcements.len(), 1);
    assert_eq!(enforcements[0].status, EnforcementStatus::Disabled);
    assert!(executions_of(&pipeline, enforcements[0].id).await.is_empty());
    pipeline.stop().await;
}

async fn an_event_nobody_announced_is_evaluated_anyway(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    attune_services::rules::create(&pipeline.platform, alert_rule("core.echo_alerts", "from the reconciler"))
        .await
        .unwrap();
    // Recorded without the announcement, as if the process died right after the write.
    let event = pipeline
        .platform
        .store
        .create_event(&NewEvent {
            trigger_ref: "core.webhook".into(),
            config: json!({"trigger_parameters": {"name": "alerts"}}),
            payload: json!({"name": "alerts", "headers": {}, "body": {"level": "error"}}),
            source_ref: None,
        })
        .await
        .unwrap();
    let enforcements = enforcements_of(&pipeline, event.id).await;
    let executions = executions_of(&pipeline, enforcements[0].id).await;
    let done = pipeline.finished(executions[0].id).await;
    assert_eq!(done.result, Some(json!({"stdout": "from the reconciler\n"})));
    pipeline.stop().await;
}

/// Prints who the execution's API token acts as (its claims are not secret; the token is).
const WHOAMI: &str = r#"import base64, json, sys
token = json.load(sys.stdin).get("api_token")
if token:
    claims = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    print(json.dumps({"acts_as": int(claims["sub"]), "execution": claims["execution"]}))
else:
    print(json.dumps({"acts_as": None}))
"#;

async fn a_rules_executions_act_as_its_last_author(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let action = "runner_type: python\nentry_point: whoami.py\n";
    pipeline.register_pack("whoami", &[("actions/show.yaml", action), ("actions/whoami.py", WHOAMI)]).await;
    let admin = pipeline.admin().await.identity_id;
    let mut authored = alert_rule("whoami.authored", "");
    authored.action_ref = "whoami.show".into();
    authored.action_params = json!({});
    authored.author = Some(admin);
    attune_services::rules::create(&pipeline.platform, authored).await.unwrap();
    let mut anonymous = alert_rule("whoami.from_files", "");
    anonymous.action_ref = "whoami.show".into();
    anonymous.action_params = json!({});
    attune_services::rules::create(&pipeline.platform, anonymous).await.unwrap();

    let event = post(&pipeline, "alerts", json!({"level": "error"})).await;
    let mut enforcements = enforcements_of(&pipeline, event).await;
    enforcements.sort_by(|a, b| a.rule_ref.cmp(&b.rule_ref));
    let mut results = Vec::new();
    for enforcement in &enforcements {
        let execution = executions_of(&pipeline, enforcement.id).await.remove(0);
        let done = pipeline.finished(execution.id).await;
        assert_eq!(done.status, ExecutionStatus::Completed, "{:?}", done.result);
        results.push((enforcement.rule_ref.clone(), done.id, done.result.unwrap()));
    }
    let (_, id, authored) = &results[0];
    assert_eq!(authored, &json!({"acts_as": admin, "execution": id}), "the author's token, bound to its execution");
    assert_eq!(results[1].2, json!({"acts_as": null}), "a rule without an author gets no token");
    pipeline.stop().await;
}

/// A rule echoing `message` on the alerts webhook, written by `author`.
fn echo_rule(rule_ref: &str, message: &str, author: Option<Id>) -> NewRule {
    NewRule { author, ..alert_rule(rule_ref, message) }
}

async fn templates_reach_no_host_and_only_the_keys_their_author_may_read(backend: Backend) {
    use attune_domain::key::{KeyOwner, NewKey};
    let pipeline = Pipeline::start(backend).await;
    let admin = pipeline.admin().await.identity_id;
    let operator = pipeline.identity_with("ops", "operator").await;
    let cipher = &pipeline.platform.cipher;
    for (name, value, encrypted) in [("db_password", "hunter2-db-secret", true), ("greeting", "hello", false)] {
        let value = if encrypted { cipher.encrypt(value) } else { value.to_owned() };
        let key = NewKey {
            owner: KeyOwner::System,
            name: name.into(),
            value,
            encrypted,
            encryption_key_hash: encrypted.then(|| cipher.fingerprint().to_owned()),
            expires_at: None,
        };
        pipeline.platform.store.put_key(&key).await.unwrap();
    }
    let rules = [
        echo_rule("core.environment", "{{ get_env(name=\"PATH\") }}", Some(admin)),
        echo_rule("core.operator_secret", "{{ kv(\"db_password\") }}", Some(operator)),
        echo_rule("core.operator_plain", "{{ kv(\"greeting\") }}", Some(operator)),
        echo_rule("core.pack_file_secret", "{{ kv(\"db_password\") }}", None),
        echo_rule("core.admin_secret", "password: {{ kv(\"db_password\") }}", Some(admin)),
    ];
    for rule in rules {
        attune_services::rules::create(&pipeline.platform, rule).await.unwrap();
    }

    let event = post(&pipeline, "alerts", json!({"level": "error"})).await;
    let enforcements = enforcements_of(&pipeline, event).await;
    let reason = |rule: &str| {
        let found = enforcements.iter().find(|e| e.rule_ref == rule).unwrap_or_else(|| panic!("{rule}"));
        found.reason.clone().unwrap_or_default()
    };
    assert!(reason("core.environment").contains("get_env is not available"), "{}", reason("core.environment"));
    assert!(
        reason("core.operator_secret").contains("the rule's author may not read it"),
        "{}",
        reason("core.operator_secret")
    );
    assert!(reason("core.pack_file_secret").contains("reads only its own pack's keys"));
    for enforcement in &enforcements {
        assert!(!enforcement.reason.clone().unwrap_or_default().contains("hunter2"), "{enforcement:?}");
    }
    let ran = |rule: &str| enforcements.iter().find(|e| e.rule_ref == rule).unwrap().id;
    let plain = pipeline.finished(executions_of(&pipeline, ran("core.operator_plain")).await[0].id).await;
    assert_eq!(plain.result, Some(json!({"stdout": "hello\n"})));

    // The value of an encrypted key reaches the action, and nothing else: the parameter
    // holding it is sealed at rest, masked when shown, and masked in the output.
    let secret = executions_of(&pipeline, ran("core.admin_secret")).await.remove(0);
    assert!(!secret.parameters.to_string().contains("hunter2"), "sealed at rest: {}", secret.parameters);
    assert_eq!(secret.sealed_parameters, ["message"]);
    let shown = attune_services::executions::get(&pipeline.platform, secret.id).await.unwrap();
    assert_eq!(shown.parameters["message"], json!(attune_domain::MASK));
    let done = pipeline.finished(secret.id).await;
    assert_eq!(done.status, ExecutionStatus::Completed, "{:?}", done.result);
    assert_eq!(done.result, Some(json!({"stdout": format!("{}\n", attune_domain::MASK)})));
    pipeline.stop().await;
}
