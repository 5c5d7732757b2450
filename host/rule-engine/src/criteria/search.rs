//! `search`: criteria applied to the items of a list.
//!
//! The pattern is `{condition: any|all, items: {<path within an item>: {type, pattern}}}`.
//! With `any`, some item must satisfy every item criterion; with `all`, every item must. An
//! empty list matches neither.

use serde_json::Value;

use super::operators;
use crate::path::lookup;

pub fn search(value: Option<&Value>, pattern: &Value) -> Result<bool, String> {
    let condition = pattern.get("condition").and_then(Value::as_str).unwrap_or("all");
    if condition != "any" && condition != "all" {
        return Err(format!("search condition must be 'any' or 'all', not '{condition}'"));
    }
    let criteria = pattern
        .get("items")
        .and_then(Value::as_object)
        .ok_or("search needs 'items': a mapping of path within an item to {type, pattern}")?;
    let Some(Value::Array(items)) = value else { return Ok(false) };
    if items.is_empty() {
        return Ok(false);
    }
    let item_matches = |item: &Value| -> Result<bool, String> {
        for (path, criterion) in criteria {
            let operator = criterion
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("search item '{path}' needs a 'type'"))?;
            let pattern = criterion.get("pattern").unwrap_or(&Value::Null);
            let found = if path.is_empty() || path == "item" {
                Some(item)
            } else {
                lookup(item, path.strip_prefix("item.").unwrap_or(path))
            };
            if !operators::apply(operator, found, pattern)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let mut results = items.iter().map(item_matches);
    if condition == "any" {
        for result in results.by_ref() {
            if result? {
                return Ok(true);
            }
        }
        Ok(false)
    } else {
        for result in results.by_ref() {
            if !result? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
