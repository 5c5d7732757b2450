//! Whether an event matches a rule's criteria.
//!
//! Criteria are a mapping of dotted path to `{type: <operator>, pattern: <value>}`; every
//! entry must hold (an empty mapping matches everything). Semantics follow StackStorm's:
//!
//! - An operator applied to values of the wrong type (`lessthan` on a string and a number,
//!   `contains` on a number) does not match — for negated operators too (`ncontains` on a
//!   number is false: nothing could be checked). The one exception is `nequals`, which is
//!   plain inequality: values of different types are not equal.
//! - A missing path matches only `nexists` and `nequals`.
//! - Malformed criteria (unknown operator, invalid regular expression or wildcard, a
//!   `search` pattern of the wrong shape) are errors, not non-matches: they say the rule is
//!   broken, not that the event is uninteresting.

mod operators;
mod search;

use serde_json::Value;

use crate::path::EventView;

/// Criteria that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("criteria.{path}: {message}")]
pub struct CriteriaError {
    /// The criterion's path.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// Whether `event` satisfies every criterion.
pub fn evaluate(criteria: &Value, event: &EventView) -> Result<bool, CriteriaError> {
    let entries = match criteria {
        Value::Null => return Ok(true),
        Value::Object(entries) => entries,
        _ => return Err(CriteriaError { path: String::new(), message: "criteria must be a mapping".into() }),
    };
    for (path, criterion) in entries {
        let value = event.resolve(path);
        if !check(path, criterion, value.as_ref())? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One criterion `{type, pattern}` against the value found at its path.
fn check(path: &str, criterion: &Value, value: Option<&Value>) -> Result<bool, CriteriaError> {
    let fail = |message: String| CriteriaError { path: path.to_owned(), message };
    let operator = criterion
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| fail("a criterion needs a 'type' (its operator)".into()))?;
    let pattern = criterion.get("pattern").unwrap_or(&Value::Null);
    match operator {
        "search" => search::search(value, criterion.get("condition"), pattern).map_err(fail),
        _ => operators::apply(operator, value, pattern).map_err(fail),
    }
}
