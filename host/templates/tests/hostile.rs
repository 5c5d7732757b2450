//! Templates written to hurt: reading the server's environment, looping or growing without
//! bound, writing without bound. Each fails its render with a message saying why, fast.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use attune_templates::{KvLookup, KvValue, Scope, TemplateLimits, render};
use serde_json::{Map, Value, json};

struct Keys(HashMap<&'static str, KvValue>);

#[async_trait]
impl KvLookup for Keys {
    async fn get(&self, name: &str) -> Result<Option<KvValue>, String> {
        if name == "forbidden" {
            return Err("not allowed to read it".into());
        }
        Ok(self.0.get(name).cloned())
    }
}

async fn render_one(template: &str, payload: Value) -> Result<Value, String> {
    let keys = Keys(HashMap::from([("token", KvValue::secret("s3cr3t-value")), ("plain", KvValue::plain("p"))]));
    let mut namespaces = Map::new();
    namespaces.insert("event".into(), json!({ "payload": payload }));
    let scope = Scope {
        namespaces,
        kv: &keys,
        functions: Vec::new(),
        values: Vec::new(),
        unavailable: Vec::new(),
        limits: TemplateLimits::default(),
    };
    render(&json!({ "text": template }), "parameters", &scope)
        .await
        .map(|rendered| rendered.value["text"].clone())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_servers_environment_is_out_of_reach() {
    // The test process's own environment stands for the server's.
    let error = render_one("{{ get_env(name=\"PATH\") }}", json!({})).await.unwrap_err();
    assert!(error.contains("get_env is not available"), "{error}");
    let error = render_one("{{ get_env(name=\"HOME\", default=\"x\") }}", json!({})).await.unwrap_err();
    assert!(error.contains("get_env is not available"), "{error}");
}

#[tokio::test]
async fn loops_are_counted_nested_ones_included() {
    let started = Instant::now();
    let nested = "{% for a in range(end=1000) %}{% for b in range(end=1000) %}x{% endfor %}{% endfor %}";
    let error = render_one(nested, json!({})).await.unwrap_err();
    assert!(error.contains("loops would run more than 10000 iterations"), "{error}");
    // Over data from the event too: a large array is counted like a range.
    let items: Vec<u32> = (0..20_000).collect();
    let over_data = "{% for i in event.payload.items %}{{ i }}{% endfor %}";
    let error = render_one(over_data, json!({"items": items})).await.unwrap_err();
    assert!(error.contains("loops would run more than"), "{error}");
    let error = render_one("{% for i in range(end=100000000000) %}{% endfor %}", json!({})).await.unwrap_err();
    assert!(error.contains("range: 100000000000 items is more than the 10000"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused early, not after the work");

    let within = render_one("{% for i in range(end=3) %}{{ i }}{% endfor %}", json!({})).await.unwrap();
    assert_eq!(within, json!("012"));
}

#[tokio::test]
async fn growing_a_value_across_iterations_is_refused() {
    let doubling = "{% set s = \"ab\" %}{% for i in range(end=40) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}";
    let error = render_one(doubling, json!({})).await.unwrap_err();
    assert!(error.contains("`set_global` cannot be used"), "{error}");
}

#[tokio::test]
async fn output_is_bounded() {
    let big = "x".repeat(200_000);
    let many = "{% for i in range(end=10) %}{{ event.payload.big }}{% endfor %}";
    let error = render_one(many, json!({"big": big})).await.unwrap_err();
    assert!(error.contains("output would be larger than 1048576 bytes"), "{error}");
}

#[tokio::test]
async fn other_templates_and_macros_are_out_of_reach() {
    for (template, what) in [
        ("{% include \"/etc/passwd\" %}", "`include`"),
        ("{% macro f(n) %}{{ self::f(n=n) }}{% endmacro f %}{{ self::f(n=1) }}", "macros"),
    ] {
        let error = render_one(template, json!({})).await.unwrap_err();
        assert!(error.contains(&format!("{what} cannot be used")), "{template}: {error}");
    }
}

#[tokio::test]
async fn secret_values_read_are_reported_and_refusals_name_the_key() {
    let keys = Keys(HashMap::from([("token", KvValue::secret("s3cr3t-value")), ("plain", KvValue::plain("p"))]));
    let scope = Scope {
        namespaces: Map::new(),
        kv: &keys,
        functions: Vec::new(),
        values: Vec::new(),
        unavailable: Vec::new(),
        limits: TemplateLimits::default(),
    };
    let rendered = render(&json!({"a": "Bearer {{ kv(\"token\") }}", "b": "{{ kv('plain') }}"}), "parameters", &scope)
        .await
        .unwrap();
    assert_eq!(rendered.value, json!({"a": "Bearer s3cr3t-value", "b": "p"}));
    assert_eq!(rendered.secrets, ["s3cr3t-value"]);
    let error = render(&json!({"a": "{{ kv(\"forbidden\") }}"}), "parameters", &scope).await.unwrap_err();
    assert_eq!(error.to_string(), "parameters: kv(\"forbidden\"): not allowed to read it");
}

#[tokio::test]
async fn error_messages_never_repeat_a_secret() {
    for template in ["{{ throw(message=kv(\"token\")) }}", "{{ kv(\"token\") + 1 }}", "{{ kv(\"token\") | round }}"] {
        let error = render_one(template, json!({})).await.unwrap_err();
        assert!(!error.contains("s3cr3t-value"), "{template}: {error}");
    }
    let thrown = render_one("{{ throw(message=kv(\"token\")) }}", json!({})).await.unwrap_err();
    assert!(thrown.contains("********"), "{thrown}");
}
