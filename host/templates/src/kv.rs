//! `kv("name")`: reading the datastore from a template.
//!
//! Tera functions are synchronous while the datastore is not: every `kv("...")` with a
//! literal name is found first and read through [`KvLookup`], then rendering answers from
//! what was read. (Names computed at render time are therefore not supported.) A key that
//! does not exist, or that the lookup refuses, renders as an error naming it. Values the
//! lookup marks secret (from encrypted keys) are reported with the render, so that whoever
//! uses the result treats them as secrets.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use regex::Regex;
use serde_json::Value;

/// Reads datastore keys for `kv("name")`.
#[async_trait]
pub trait KvLookup: Send + Sync {
    /// The value of key `name`, if it exists; an error (such as "not allowed") fails the
    /// render with that message.
    async fn get(&self, name: &str) -> Result<Option<KvValue>, String>;
}

/// A value read from the datastore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvValue {
    /// The value, in clear.
    pub value: String,
    /// It was stored encrypted: a secret.
    pub secret: bool,
}

impl KvValue {
    /// A value that is not secret.
    pub fn plain(value: impl Into<String>) -> Self {
        Self { value: value.into(), secret: false }
    }

    /// A secret value.
    pub fn secret(value: impl Into<String>) -> Self {
        Self { value: value.into(), secret: true }
    }
}

fn kv_call() -> &'static Regex {
    static CALL: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    CALL.get_or_init(|| Regex::new(r#"kv\(\s*(?:name\s*=\s*)?(?:"([^"]*)"|'([^']*)')\s*\)"#).expect("a valid pattern"))
}

/// `text` with `kv("name")` written as Tera takes it, `kv(name="name")`.
pub(crate) fn with_named_arguments(text: &str) -> String {
    kv_call()
        .replace_all(text, |c: &regex::Captures| {
            format!("kv(name={:?})", c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str()))
        })
        .into_owned()
}

/// Every key name `value`'s templates read.
pub(crate) fn names_read(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if crate::render::is_template(text) => {
            for capture in kv_call().captures_iter(text) {
                if let Some(name) = capture.get(1).or_else(|| capture.get(2)) {
                    names.insert(name.as_str().to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| names_read(item, names)),
        Value::Object(fields) => fields.values().for_each(|field| names_read(field, names)),
        _ => {}
    }
}

/// `kv(name=...)` answering from what was read ahead.
pub(crate) struct KvFunction(pub HashMap<String, Option<KvValue>>);

impl tera::Function for KvFunction {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = args
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("kv needs a key name: kv(\"name\")"))?;
        match self.0.get(name) {
            Some(Some(found)) => Ok(Value::String(found.value.clone())),
            Some(None) => Err(tera::Error::msg(format!("datastore key '{name}' does not exist"))),
            None => Err(tera::Error::msg(format!("kv(\"{name}\"): only literal key names are supported"))),
        }
    }

    fn is_safe(&self) -> bool {
        true
    }
}
