//! Rendering every string of a JSON value.
//!
//! A string that is exactly one `{{ expression }}` keeps the type of its value (a number
//! stays a number, a mapping a mapping); any other string with `{{` or `{%` renders to a
//! string; the rest is left as it is. Keys are not templated.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::Arc;

use regex::Regex;
use serde_json::{Map, Value};

use crate::check::check_nodes;
use crate::environment::{count_loops, environment};
use crate::kv::{KvFunction, KvLookup, names_read, with_named_arguments};
use crate::limits::TemplateLimits;

/// What a secret is shown as.
const MASK: &str = "********";

/// What one render sees.
pub struct Scope<'a> {
    /// The top-level names templates read (`event`, `pack`, `input`...).
    pub namespaces: Map<String, Value>,
    /// Where `kv("name")` reads.
    pub kv: &'a dyn KvLookup,
    /// Further functions.
    pub functions: Vec<(&'static str, Arc<dyn tera::Function>)>,
    /// Values of [value functions](crate::values) (a workflow's `result()`, `item()`...).
    pub values: Vec<(&'static str, Value)>,
    /// Where each value function without a value here is available, for errors (`": in a
    /// task's transitions"`).
    pub unavailable: Vec<(&'static str, &'static str)>,
    /// How much it may do.
    pub limits: TemplateLimits,
}

/// A rendered value, and the secret values its templates read.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The value with every template rendered.
    pub value: Value,
    /// Values read from encrypted keys: whoever uses `value` must treat them as secrets.
    pub secrets: Vec<String>,
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

/// The names of the top-level parameters whose values hold one of `secrets` (in a string,
/// or as a number's text), however deep.
pub fn holding<'p>(params: &'p Value, secrets: &[String]) -> Vec<&'p str> {
    fn holds(value: &Value, secrets: &[String]) -> bool {
        match value {
            Value::String(text) => secrets.iter().any(|secret| !secret.is_empty() && text.contains(secret.as_str())),
            Value::Number(number) => secrets.iter().any(|secret| *secret == number.to_string()),
            Value::Array(items) => items.iter().any(|item| holds(item, secrets)),
            Value::Object(fields) => fields.values().any(|field| holds(field, secrets)),
            _ => false,
        }
    }
    match params.as_object() {
        Some(fields) => {
            fields.iter().filter(|(_, value)| holds(value, secrets)).map(|(name, _)| name.as_str()).collect()
        }
        None => Vec::new(),
    }
}

/// Whether `text` holds a template at all.
pub(crate) fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

fn single_expression() -> &'static Regex {
    static SINGLE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    SINGLE.get_or_init(|| Regex::new(r"(?s)\A\s*\{\{(.*)\}\}\s*\z").expect("a valid pattern"))
}

/// Renders every string in `value` (named `at` in errors, e.g. `parameters`) in `scope`.
pub async fn render(value: &Value, at: &str, scope: &Scope<'_>) -> Result<Rendered, TemplateError> {
    let mut names = BTreeSet::new();
    names_read(value, &mut names);
    let mut read = HashMap::new();
    for name in names {
        let found = scope
            .kv
            .get(&name)
            .await
            .map_err(|e| TemplateError { at: at.to_owned(), message: format!("kv(\"{name}\"): {e}") })?;
        read.insert(name, found);
    }
    let secrets: Vec<String> =
        read.values().flatten().filter(|found| found.secret).map(|found| found.value.clone()).collect();

    let mut functions = scope.functions.clone();
    functions.push(("kv", Arc::new(KvFunction(read))));
    let mut context = tera::Context::from_serialize(&scope.namespaces)
        .map_err(|e| TemplateError { at: at.to_owned(), message: e.to_string() })?;
    for (name, value) in &scope.values {
        context.insert(crate::values::variable(name), value);
    }
    let mut renderer =
        Renderer { tera: environment(&scope.limits, &functions), context, output_left: scope.limits.output_bytes };
    let value = renderer.value(value, at).map_err(|mut error| {
        error.message = crate::values::explain(error.message, &scope.unavailable);
        // A message may quote what it failed on: never a secret.
        for secret in &secrets {
            error.message = error.message.replace(secret.as_str(), MASK);
        }
        error
    })?;
    Ok(Rendered { value, secrets })
}

/// One render's Tera instance, context and remaining output.
struct Renderer {
    tera: tera::Tera,
    context: tera::Context,
    output_left: usize,
}

impl Renderer {
    fn value(&mut self, value: &Value, at: &str) -> Result<Value, TemplateError> {
        match value {
            Value::String(text) => self.string(text, at),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.value(item, &format!("{at}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(fields) => fields
                .iter()
                .map(|(key, field)| Ok((key.clone(), self.value(field, &format!("{at}.{key}"))?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            other => Ok(other.clone()),
        }
    }

    fn string(&mut self, text: &str, at: &str) -> Result<Value, TemplateError> {
        if !is_template(text) {
            return Ok(Value::String(text.to_owned()));
        }
        let fail = |message: String| TemplateError { at: at.to_owned(), message };
        let source = crate::values::as_variables(&with_named_arguments(text));
        let single = single_expression()
            .captures(&source)
            .map(|c| c[1].to_owned())
            .filter(|inner| !inner.contains("{{") && !inner.contains("}}"));
        match single {
            Some(expression) => {
                // Keep the value's type: render it as JSON and read that back.
                let typed =
                    format!("{{% set attune_value = {expression} %}}{{{{ attune_value | json_encode() | safe }}}}");
                let rendered = self.render(&typed).map_err(fail)?;
                serde_json::from_str(&rendered).map_err(|e| fail(e.to_string()))
            }
            None => self.render(&source).map(Value::String).map_err(fail),
        }
    }

    /// Parses, checks and renders one template, within what is left of the output.
    fn render(&mut self, source: &str) -> Result<String, String> {
        const NAME: &str = "template";
        let mut template = tera::Template::new(NAME, None, source).map_err(|e| describe(&e))?;
        check_nodes(&template.ast)?;
        count_loops(&mut template.ast);
        self.tera.templates.insert(NAME.to_owned(), template);
        let mut output = BoundedOutput { written: Vec::new(), left: self.output_left, overflowed: false };
        let rendered = self.tera.render_to(NAME, &self.context, &mut output);
        if output.overflowed {
            return Err(format!(
                "output would be larger than {} bytes, the most a template may write",
                self.output_left
            ));
        }
        rendered.map_err(|e| describe(&e))?;
        self.output_left -= output.written.len();
        String::from_utf8(output.written).map_err(|e| e.to_string())
    }
}

/// A buffer that refuses to grow past its limit.
struct BoundedOutput {
    written: Vec<u8>,
    left: usize,
    overflowed: bool,
}

impl Write for BoundedOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.written.len() + bytes.len() > self.left {
            self.overflowed = true;
            return Err(std::io::Error::other("template output limit"));
        }
        self.written.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Tera wraps the cause in generic messages ("Failed to render 'template'"): keep the
/// innermost, most specific one.
pub(crate) fn describe(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = cause.to_string();
        source = cause.source();
    }
    message.replace("__tera_one_off", "template")
}
