//! Rendering rule parameters.

use std::collections::HashMap;

use async_trait::async_trait;
use attune_rule_engine::{EventView, KvLookup, KvValue, TemplateContext, render};
use serde_json::{Value, json};

struct Datastore(HashMap<&'static str, &'static str>);

#[async_trait]
impl KvLookup for Datastore {
    async fn get(&self, name: &str) -> Result<Option<KvValue>, String> {
        if name == "broken" {
            return Err("store unreachable".into());
        }
        Ok(self.0.get(name).map(|v| KvValue::plain(*v)))
    }
}

fn context() -> TemplateContext {
    let event = EventView {
        id: 42,
        trigger: "core.webhook".into(),
        created: "2026-11-23T10:00:00Z".into(),
        payload: json!({"name": "alerts", "body": {"service": "api-gw", "count": 3, "tags": ["a", "b"]}}),
    };
    TemplateContext {
        event: event.as_json(),
        pack_config: json!({"channel": "#ops"}),
        rule_ref: "examples.notify".into(),
        timestamp: "2026-11-23T10:00:01Z".into(),
    }
}

async fn render_with(params: Value) -> Result<Value, String> {
    let kv = Datastore(HashMap::from([("greeting", "hello"), ("region", "eu-west")]));
    render(&params, &context(), &kv).await.map(|rendered| rendered.value).map_err(|e| e.to_string())
}

#[tokio::test]
async fn every_namespace_renders() {
    let rendered = render_with(json!({
        "text": "{{ event.payload.body.service }} failed at {{ event.created }}",
        "channel": "{{ pack.config.channel }}",
        "who": "{{ system.rule.ref }} ({{ event.trigger }} #{{ event.id }}) at {{ system.timestamp }}",
        "greeting": "{{ kv(\"greeting\") }}, {{ kv('region') | upper }}",
        "plain": "no templates here",
    }))
    .await
    .unwrap();
    assert_eq!(
        rendered,
        json!({
            "text": "api-gw failed at 2026-11-23T10:00:00Z",
            "channel": "#ops",
            "who": "examples.notify (core.webhook #42) at 2026-11-23T10:00:01Z",
            "greeting": "hello, EU-WEST",
            "plain": "no templates here",
        })
    );
}

#[tokio::test]
async fn a_single_expression_keeps_its_type() {
    let rendered = render_with(json!({
        "count": "{{ event.payload.body.count }}",
        "doubled": "{{ event.payload.body.count * 2 }}",
        "tags": "{{ event.payload.body.tags }}",
        "body": " {{ event.payload.body }} ",
        "sentence": "count={{ event.payload.body.count }}",
        "nested": {"list": ["{{ event.id }}", "id {{ event.id }}"], "n": 7},
    }))
    .await
    .unwrap();
    assert_eq!(rendered["count"], json!(3));
    assert_eq!(rendered["doubled"], json!(6));
    assert_eq!(rendered["tags"], json!(["a", "b"]));
    assert_eq!(rendered["body"]["service"], "api-gw");
    assert_eq!(rendered["sentence"], "count=3");
    assert_eq!(rendered["nested"], json!({"list": [42, "id 42"], "n": 7}));
}

#[tokio::test]
async fn errors_name_the_parameter() {
    let cases = [
        (json!({"text": "{{ event.payload.nothing.here }}"}), "parameters.text"),
        (json!({"deep": {"list": ["ok", "{{ oops"]}}), "parameters.deep.list[1]"),
        (json!({"text": "{{ kv(\"missing\") }}"}), "datastore key 'missing' does not exist"),
        (json!({"text": "{{ kv(\"broken\") }}"}), "store unreachable"),
    ];
    for (params, fragment) in cases {
        let error = render_with(params.clone()).await.unwrap_err();
        assert!(error.contains(fragment), "{params}: {error}");
    }
}
