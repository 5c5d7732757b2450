//! Rendering a rule's `parameters` (Tera templates) for one event.
//!
//! Namespaces: `event` (`id`, `trigger`, `created`, `payload`), `pack.config`, `system`
//! (`timestamp`, `rule.ref`), and the function `kv("name")` reading the datastore. A string
//! that is exactly one `{{ expression }}` keeps the type of its value (a number stays a
//! number, a mapping a mapping); any other string renders to a string. Keys are not
//! templated.
//!
//! Tera functions are synchronous while the datastore is not: every `kv("...")` with a
//! literal name is found first and read through [`KvLookup`], then rendering answers from
//! what was read. (Names computed at render time are therefore not supported.) A key that
//! does not exist renders as an error naming it.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use regex::Regex;
use serde_json::{Map, Value, json};

/// Reads datastore keys for `kv("name")`.
#[async_trait]
pub trait KvLookup: Send + Sync {
    /// The value of key `name`, if it exists.
    async fn get(&self, name: &str) -> Result<Option<String>, String>;
}

/// What templates can read besides the datastore.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateContext {
    /// The `event` namespace (see [`crate::EventView::as_json`]).
    pub event: Value,
    /// The rule's pack configuration (`pack.config`).
    pub pack_config: Value,
    /// The rule's ref (`system.rule.ref`).
    pub rule_ref: String,
    /// The render time (`system.timestamp`, RFC 3339).
    pub timestamp: String,
}

/// A template that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct TemplateError {
    /// Where the template is (`parameters.text`).
    pub at: String,
    /// What went wrong.
    pub message: String,
}

fn kv_call() -> &'static Regex {
    static CALL: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    CALL.get_or_init(|| Regex::new(r#"kv\(\s*(?:name\s*=\s*)?(?:"([^"]*)"|'([^']*)')\s*\)"#).expect("a valid pattern"))
}

fn single_expression() -> &'static Regex {
    static SINGLE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    SINGLE.get_or_init(|| Regex::new(r"(?s)\A\s*\{\{(.*)\}\}\s*\z").expect("a valid pattern"))
}

/// Renders every string in `params` (a JSON value) for one event.
pub async fn render(params: &Value, context: &TemplateContext, kv: &dyn KvLookup) -> Result<Value, TemplateError> {
    let mut names = BTreeSet::new();
    collect_kv_names(params, &mut names);
    let mut values = HashMap::new();
    for name in names {
        let value = kv
            .get(&name)
            .await
            .map_err(|e| TemplateError { at: "parameters".into(), message: format!("kv(\"{name}\"): {e}") })?;
        values.insert(name, value);
    }
    let mut tera = tera::Tera::default();
    tera.register_function("kv", KvFunction(values));
    let mut tera_context = tera::Context::new();
    tera_context.insert("event", &context.event);
    tera_context.insert("pack", &json!({ "config": context.pack_config }));
    tera_context.insert("system", &json!({ "timestamp": context.timestamp, "rule": { "ref": context.rule_ref } }));
    render_value(params, "parameters", &mut tera, &tera_context)
}

fn collect_kv_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if text.contains("{{") || text.contains("{%") => {
            for capture in kv_call().captures_iter(text) {
                if let Some(name) = capture.get(1).or_else(|| capture.get(2)) {
                    names.insert(name.as_str().to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_kv_names(item, names)),
        Value::Object(fields) => fields.values().for_each(|field| collect_kv_names(field, names)),
        _ => {}
    }
}

fn render_value(
    value: &Value,
    at: &str,
    tera: &mut tera::Tera,
    context: &tera::Context,
) -> Result<Value, TemplateError> {
    match value {
        Value::String(text) => render_string(text, at, tera, context),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| render_value(item, &format!("{at}[{i}]"), tera, context))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(fields) => fields
            .iter()
            .map(|(key, field)| Ok((key.clone(), render_value(field, &format!("{at}.{key}"), tera, context)?)))
            .collect::<Result<Map<_, _>, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

fn render_string(text: &str, at: &str, tera: &mut tera::Tera, context: &tera::Context) -> Result<Value, TemplateError> {
    if !text.contains("{{") && !text.contains("{%") {
        return Ok(Value::String(text.to_owned()));
    }
    // Tera functions take named arguments: accept kv("name") as written in rules.
    let source = kv_call().replace_all(text, |c: &regex::Captures| {
        format!("kv(name={:?})", c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str()))
    });
    let fail = |e: tera::Error| TemplateError { at: at.to_owned(), message: describe(&e) };
    let single = single_expression()
        .captures(&source)
        .map(|c| c[1].to_owned())
        .filter(|inner| !inner.contains("{{") && !inner.contains("}}"));
    match single {
        Some(expression) => {
            // Keep the value's type: render it as JSON and read that back.
            let typed = format!("{{% set attune_value = {expression} %}}{{{{ attune_value | json_encode() | safe }}}}");
            let rendered = tera.render_str(&typed, context).map_err(fail)?;
            serde_json::from_str(&rendered).map_err(|e| TemplateError { at: at.to_owned(), message: e.to_string() })
        }
        None => tera.render_str(&source, context).map(Value::String).map_err(fail),
    }
}

/// Tera wraps the cause in generic messages ("Failed to render '__tera_one_off'"): keep the
/// innermost, most specific one.
fn describe(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = cause.to_string();
        source = cause.source();
    }
    message.replace("__tera_one_off", "template")
}

struct KvFunction(HashMap<String, Option<String>>);

impl tera::Function for KvFunction {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = args
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("kv needs a key name: kv(\"name\")"))?;
        match self.0.get(name) {
            Some(Some(value)) => Ok(Value::String(value.clone())),
            Some(None) => Err(tera::Error::msg(format!("datastore key '{name}' does not exist"))),
            None => Err(tera::Error::msg(format!("kv(\"{name}\"): only literal key names are supported"))),
        }
    }

    fn is_safe(&self) -> bool {
        true
    }
}
