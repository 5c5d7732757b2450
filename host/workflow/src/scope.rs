//! The template scope of a workflow: the namespaces `input` (the workflow's parameters)
//! and `vars` (its variables), and the functions `item()` (in a `with` task's input, the
//! current item), `result()`, `succeeded()` and `failed()` (in a task's transitions: how
//! it ended), over the shared template environment (`kv(...)` and the rest).
//!
//! Values reach templates as data: a parameter or a result holding `{{ ... }}` is text,
//! never rendered again.

use attune_templates::{Rendered, Scope, TemplateError, TemplateLimits};
use serde_json::{Map, Value};

use crate::host::Host;

/// What a task's templates see besides `input` and `vars`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TaskContext {
    /// The current item (a `with` task's input).
    pub item: Option<Value>,
    /// How the task ended (its transitions).
    pub ended: Option<(bool, Value)>,
}

/// Renders `value` (at `at`, for errors) with the workflow's input and variables and the
/// task's context.
pub(crate) async fn render(
    host: &dyn Host,
    vars: &Map<String, Value>,
    context: &TaskContext,
    value: &Value,
    at: &str,
) -> Result<Rendered, TemplateError> {
    // A namespace is copied into the render only when the templates name it: an item's
    // input need not carry the whole workflow input (which may hold every item) each time.
    let mentions = |name: &str| mentions(value, name);
    let mut namespaces = Map::new();
    if mentions("input") {
        namespaces.insert("input".into(), host.input().clone());
    }
    if mentions("vars") {
        namespaces.insert("vars".into(), Value::Object(vars.clone()));
    }
    let mut values = Vec::new();
    if let Some(item) = &context.item {
        values.push(("item", item.clone()));
    }
    if let Some((succeeded, result)) = &context.ended {
        values.push(("result", result.clone()));
        values.push(("succeeded", Value::Bool(*succeeded)));
        values.push(("failed", Value::Bool(!*succeeded)));
    }
    const IN_TRANSITIONS: &str = ": only in a task's transitions (`next`)";
    let unavailable = vec![
        ("item", ": only in the input of a task with items"),
        ("result", IN_TRANSITIONS),
        ("succeeded", IN_TRANSITIONS),
        ("failed", IN_TRANSITIONS),
    ];
    let scope = Scope {
        namespaces,
        kv: host.kv(),
        functions: Vec::new(),
        values,
        unavailable,
        limits: TemplateLimits::default(),
    };
    let mut rendered = attune_templates::render(value, at, &scope).await?;
    rendered.secrets.extend(host.secrets().iter().cloned());
    Ok(rendered)
}

/// Whether any string under `value` mentions `name`.
fn mentions(value: &Value, name: &str) -> bool {
    match value {
        Value::String(text) => text.contains(name),
        Value::Array(items) => items.iter().any(|item| mentions(item, name)),
        Value::Object(fields) => fields.values().any(|field| mentions(field, name)),
        _ => false,
    }
}

/// Whether a rendered `when` holds: `false`, `null`, `0`, `""`, `[]`, `{}` and the text
/// `"false"` do not; everything else does.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(text) => !text.trim().is_empty() && !text.trim().eq_ignore_ascii_case("false"),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
    }
}
