//! Structural checks of workflow graphs (SPEC §9), done at registration so that a broken
//! workflow is rejected before anyone runs it: unknown keys and tasks, malformed action
//! refs, templates that do not parse, no task to start from, and loops that can never end.

use std::collections::{BTreeMap, BTreeSet};

use attune_domain::refs::ComponentRef;
use serde_json::{Map, Value};

const TASK_KEYS: &[&str] = &["action", "inquiry", "input", "next", "retry", "timeout", "join", "with", "description"];
const TRANSITION_KEYS: &[&str] = &["when", "publish", "do"];

/// Checks a workflow's `tasks`.
pub fn check_graph(tasks: &Map<String, Value>) -> Result<(), String> {
    if tasks.is_empty() {
        return Err("tasks: a workflow needs at least one task".into());
    }
    // Edges: task → (target, unconditional?)
    let mut edges: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for (name, task) in tasks {
        let at = format!("tasks.{name}");
        let fields = task.as_object().ok_or_else(|| format!("{at} must be a mapping"))?;
        if let Some(key) = fields.keys().find(|k| !TASK_KEYS.contains(&k.as_str())) {
            return Err(format!("{at}: unknown key '{key}' (expected {})", TASK_KEYS.join(", ")));
        }
        match (fields.get("action"), fields.get("inquiry")) {
            (Some(_), Some(_)) => {
                return Err(format!("{at}: a task has either 'action' or 'inquiry', not both"));
            }
            (None, None) => return Err(format!("{at}: a task needs 'action' or 'inquiry'")),
            (Some(action), None) => {
                let action = action.as_str().ok_or_else(|| format!("{at}.action must be a ref"))?;
                ComponentRef::parse(action).map_err(|e| format!("{at}.action: {e}"))?;
            }
            (None, Some(inquiry)) => {
                if !inquiry.get("prompt").is_some_and(Value::is_string) {
                    return Err(format!("{at}.inquiry needs a 'prompt'"));
                }
            }
        }
        if let Some(join) = fields.get("join") {
            let ok = join.as_str() == Some("all") || join.as_u64().is_some_and(|n| n >= 1);
            if !ok {
                return Err(format!("{at}.join must be 'all' or a positive number"));
            }
        }
        if let Some(with) = fields.get("with")
            && with.get("items").is_none()
        {
            return Err(format!("{at}.with needs 'items'"));
        }
        for key in ["input", "with", "retry", "inquiry"] {
            if let Some(value) = fields.get(key) {
                check_templates(&format!("{at}.{key}"), value)?;
            }
        }
        let transitions = match fields.get("next") {
            None => Vec::new(),
            Some(Value::Array(list)) => list.iter().collect(),
            Some(_) => return Err(format!("{at}.next must be a list of transitions")),
        };
        let out = edges.entry(name).or_default();
        for (i, transition) in transitions.into_iter().enumerate() {
            let at = format!("{at}.next[{i}]");
            let fields = transition.as_object().ok_or_else(|| format!("{at} must be a mapping"))?;
            if let Some(key) = fields.keys().find(|k| !TRANSITION_KEYS.contains(&k.as_str())) {
                return Err(format!("{at}: unknown key '{key}' (expected {})", TRANSITION_KEYS.join(", ")));
            }
            for key in ["when", "publish"] {
                if let Some(value) = fields.get(key) {
                    check_templates(&format!("{at}.{key}"), value)?;
                }
            }
            let targets: Vec<&str> = match fields.get("do") {
                None => Vec::new(),
                Some(Value::String(one)) => vec![one.as_str()],
                Some(Value::Array(many)) => many
                    .iter()
                    .map(|t| t.as_str().ok_or_else(|| format!("{at}.do must name tasks")))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("{at}.do must be a task name or a list of them")),
            };
            for target in targets {
                if !tasks.contains_key(target) {
                    return Err(format!("{at}.do: unknown task '{target}'"));
                }
                out.push((target, !fields.contains_key("when")));
            }
        }
    }
    let targeted: BTreeSet<&str> = edges.values().flatten().map(|(t, _)| *t).collect();
    if tasks.keys().all(|name| targeted.contains(name.as_str())) {
        return Err("tasks: every task is the target of a transition, so none can start".into());
    }
    if let Some(task) = unconditional_cycle(&edges) {
        return Err(format!("tasks: task '{task}' is on a loop of unconditional transitions that can never end"));
    }
    Ok(())
}

/// A task on a cycle made only of transitions without `when`, if any.
fn unconditional_cycle<'a>(edges: &BTreeMap<&'a str, Vec<(&'a str, bool)>>) -> Option<&'a str> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        edges: &BTreeMap<&'a str, Vec<(&'a str, bool)>>,
        marks: &mut BTreeMap<&'a str, Mark>,
    ) -> Option<&'a str> {
        match marks.get(node) {
            Some(Mark::Visiting) => return Some(node),
            Some(Mark::Done) => return None,
            None => {}
        }
        marks.insert(node, Mark::Visiting);
        for (target, unconditional) in edges.get(node).into_iter().flatten() {
            if *unconditional && let Some(found) = visit(target, edges, marks) {
                return Some(found);
            }
        }
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges.keys().find_map(|node| visit(node, edges, &mut marks))
}

/// Checks that every string under `value` is a template the shared environment accepts
/// (it parses, and uses nothing refused).
pub fn check_templates(at: &str, value: &Value) -> Result<(), String> {
    attune_templates::check_value(value, at).map_err(|e| format!("{}: invalid template: {}", e.at, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(tasks: Value) -> Result<(), String> {
        check_graph(tasks.as_object().unwrap())
    }

    #[test]
    fn accepts_the_spec_example_shape() {
        check(json!({
            "build": {"action": "core.local", "input": {"cmd": "make {{ input.service }}"},
                      "next": [{"when": "{{ succeeded() }}", "do": ["test", "lint"]},
                               {"when": "{{ failed() }}", "do": "notify"}]},
            "test": {"action": "core.noop", "next": [{"do": "deploy"}]},
            "lint": {"action": "core.noop", "next": [{"do": "deploy"}]},
            "deploy": {"join": "all", "action": "core.noop", "with": {"items": "{{ input.hosts }}", "concurrency": 5}},
            "notify": {"action": "core.echo", "input": {"message": "failed"}},
        }))
        .unwrap();
    }

    #[test]
    fn rejects_broken_graphs() {
        let cases = [
            (json!({}), "at least one task"),
            (json!({"a": {"action": "core.noop", "next": [{"do": "b"}]}}), "unknown task 'b'"),
            (json!({"a": {"action": "nopack"}}), "tasks.a.action"),
            (json!({"a": {"action": "core.noop", "colour": 1}}), "unknown key 'colour'"),
            (json!({"a": {"action": "core.noop", "next": [{"do": "a"}]}}), "none can start"),
            (
                json!({"s": {"action": "core.noop", "next": [{"do": "a"}]},
                    "a": {"action": "core.noop", "next": [{"do": "b"}]},
                    "b": {"action": "core.noop", "next": [{"do": "a"}]}}),
                "can never end",
            ),
            (json!({"a": {"action": "core.noop", "input": {"x": "{{ oops"}}}), "invalid template"),
        ];
        for (tasks, expected) in cases {
            let error = check(tasks.clone()).unwrap_err();
            assert!(error.contains(expected), "{tasks}: {error}");
        }
    }

    #[test]
    fn conditional_loops_are_allowed() {
        check(json!({
            "s": {"action": "core.noop", "next": [{"do": "poll"}]},
            "poll": {"action": "core.noop", "next": [{"when": "{{ failed() }}", "do": "poll"}]},
        }))
        .unwrap();
    }
}
