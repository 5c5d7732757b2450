//! Rendering a rule's `parameters` for one event, in the shared template environment
//! (`attune-templates`: no host access, bounded work and output).
//!
//! Namespaces: `event` (`id`, `trigger`, `created`, `payload`), `pack.config`, `system`
//! (`timestamp`, `rule.ref`), and the function `kv("name")` reading the datastore (through
//! the caller's [`KvLookup`], which decides what the rule may read). A string that is
//! exactly one `{{ expression }}` keeps the type of its value; any other string renders to
//! a string. Keys are not templated.

use attune_templates::{Scope, TemplateLimits};
use serde_json::{Map, Value, json};

pub use attune_templates::{KvLookup, KvValue, Rendered, TemplateError};

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

/// Renders every string in `params` (a JSON value) for one event.
pub async fn render(params: &Value, context: &TemplateContext, kv: &dyn KvLookup) -> Result<Rendered, TemplateError> {
    let mut namespaces = Map::new();
    namespaces.insert("event".into(), context.event.clone());
    namespaces.insert("pack".into(), json!({ "config": context.pack_config }));
    namespaces.insert("system".into(), json!({ "timestamp": context.timestamp, "rule": { "ref": context.rule_ref } }));
    let scope = Scope {
        namespaces,
        kv,
        functions: Vec::new(),
        values: Vec::new(),
        unavailable: Vec::new(),
        limits: TemplateLimits::default(),
    };
    attune_templates::render(params, "parameters", &scope).await
}

/// Whether a rule's `params` may be rendered at all (their templates parse and use nothing
/// refused), checked when the rule is saved.
pub fn check(params: &Value) -> Result<(), TemplateError> {
    attune_templates::check_value(params, "parameters")
}
