//! The Tera instance one render uses: the built-in filters and tests, the built-in
//! functions but `get_env` (refused) and `range` (bounded), the caller's functions, and a
//! counting filter the render puts on every loop.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tera::ast::{FunctionCall, Node};

use crate::limits::TemplateLimits;

/// The filter counting the iterations of every loop it is put on.
pub(crate) const LOOP_COUNTER: &str = "__attune_loop_iterations";

/// A Tera instance for one render, and the iterations its loops have run so far.
pub(crate) fn environment(limits: &TemplateLimits, functions: &[(&str, Arc<dyn tera::Function>)]) -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.register_function("get_env", Refused("get_env", "templates cannot read the server's environment"));
    tera.register_function("range", BoundedRange(limits.range_items));
    for (name, function) in functions {
        tera.functions.insert((*name).to_owned(), function.clone());
    }
    tera.register_filter(LOOP_COUNTER, LoopCounter { limit: limits.loop_iterations, run: AtomicUsize::new(0) });
    tera
}

/// Puts the loop counter on the container of every loop of `nodes`, nested ones included:
/// it sees each container each time its loop starts, so it counts every iteration.
pub(crate) fn count_loops(nodes: &mut [Node]) {
    for node in nodes {
        if let Node::Forloop(_, forloop, _) = node {
            forloop.container.filters.push(FunctionCall { name: LOOP_COUNTER.into(), args: HashMap::new() });
        }
        for body in bodies_mut(node) {
            count_loops(body);
        }
    }
}

/// The nested bodies of `node`, mutably (as `check::bodies` finds them).
fn bodies_mut(node: &mut Node) -> Vec<&mut Vec<Node>> {
    use tera::ast::{Block, Forloop, If};
    match node {
        Node::Forloop(_, Forloop { body, empty_body, .. }, _) => std::iter::once(body).chain(empty_body).collect(),
        Node::If(If { conditions, otherwise }, _) => {
            conditions.iter_mut().map(|(_, _, body)| body).chain(otherwise.as_mut().map(|(_, body)| body)).collect()
        }
        Node::FilterSection(_, section, _) => vec![&mut section.body],
        Node::Block(_, Block { body, .. }, _) => vec![body],
        Node::MacroDefinition(_, definition, _) => vec![&mut definition.body],
        _ => Vec::new(),
    }
}

/// A function that refuses to run, saying why.
struct Refused(&'static str, &'static str);

impl tera::Function for Refused {
    fn call(&self, _: &HashMap<String, Value>) -> tera::Result<Value> {
        Err(tera::Error::msg(format!("{} is not available: {}", self.0, self.1)))
    }
}

/// `range(end=..., start=0, step_by=1)`, producing at most so many items.
struct BoundedRange(usize);

impl tera::Function for BoundedRange {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let number = |name: &str, default: Option<i64>| -> tera::Result<i64> {
            match args.get(name) {
                Some(value) => {
                    value.as_i64().ok_or_else(|| tera::Error::msg(format!("range: `{name}` must be an integer")))
                }
                None => default.ok_or_else(|| tera::Error::msg(format!("range: `{name}` is required"))),
            }
        };
        let (start, end, step) = (number("start", Some(0))?, number("end", None)?, number("step_by", Some(1))?);
        if step <= 0 {
            return Err(tera::Error::msg("range: `step_by` must be at least 1"));
        }
        let count = if end > start { ((end - start) as u64).div_ceil(step as u64) } else { 0 };
        if count > self.0 as u64 {
            return Err(tera::Error::msg(format!(
                "range: {count} items is more than the {} a template may make",
                self.0
            )));
        }
        Ok(Value::Array((0..count as i64).map(|i| Value::from(start + i * step)).collect()))
    }
}

/// Counts the items of every loop container it is put on, refusing past the limit.
struct LoopCounter {
    limit: usize,
    run: AtomicUsize,
}

impl tera::Filter for LoopCounter {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        let items = match value {
            Value::Array(items) => items.len(),
            Value::Object(fields) => fields.len(),
            Value::String(text) => text.chars().count(),
            _ => 0,
        };
        let run = self.run.fetch_add(items, Ordering::Relaxed) + items;
        if run > self.limit {
            return Err(tera::Error::msg(format!(
                "loops would run more than {} iterations, the most a template may",
                self.limit
            )));
        }
        Ok(value.clone())
    }
}
