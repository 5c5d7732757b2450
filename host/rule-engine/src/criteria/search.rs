//! `search`: criteria applied to the items of a list.
//!
//! As in StackStorm, the criterion carries `condition: any|all` and its `pattern` is the
//! item criteria, `{<path within an item>: {type, pattern}}`; the form
//! `pattern: {condition, items: {...}}` is accepted too. With `any`, some item must satisfy
//! every item criterion; with `all`, every item must (so an empty list matches `all` and not
//! `any`, like Python's `all`/`any`). A mapping is searched as a list of one item.

use serde_json::Value;

use super::operators;
use crate::path::lookup;

pub fn search(value: Option<&Value>, condition: Option<&Value>, pattern: &Value) -> Result<bool, String> {
    let condition = condition.or_else(|| pattern.get("condition")).and_then(Value::as_str).unwrap_or("all");
    if condition != "any" && condition != "all" {
        return Err(format!("search condition must be 'any' or 'all', not '{condition}'"));
    }
    let criteria = match pattern.get("items") {
        Some(items) => items.as_object(),
        None => pattern.as_object(),
    }
    .filter(|c| !c.is_empty() && c.values().all(Value::is_object))
    .ok_or("search needs item criteria: a mapping of path within an item to {type, pattern}")?;
    let single;
    let items: &[Value] = match value {
        Some(Value::Array(items)) => items,
        Some(object @ Value::Object(_)) => {
            single = [object.clone()];
            &single
        }
        _ => return Ok(false),
    };
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
