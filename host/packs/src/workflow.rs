//! Workflow graphs at registration (SPEC §9): parsed into the domain's typed
//! [`WorkflowGraph`], its structure checked there (unknown keys and tasks, malformed action
//! refs, no task to start from, loops that can never end), and every template in it checked
//! here against the shared template environment — so a broken workflow is rejected before
//! anyone runs it.

use attune_domain::graph::WorkflowGraph;
use serde_json::{Map, Value};

/// Parses and checks a workflow's `vars`, `tasks` and `output`.
pub fn graph(vars: Map<String, Value>, tasks: &Map<String, Value>, output: Value) -> Result<WorkflowGraph, String> {
    let graph = WorkflowGraph { vars, tasks: WorkflowGraph::parse_tasks(tasks)?, output };
    graph.check()?;
    for (name, task) in &graph.tasks {
        let at = format!("tasks.{name}");
        check_templates(&format!("{at}.input"), &Value::Object(task.input.clone()))?;
        if let Some(with) = &task.with {
            check_templates(&format!("{at}.with"), &serde_json::to_value(with).unwrap_or_default())?;
        }
        if let Some(inquiry) = &task.inquiry {
            check_templates(&format!("{at}.inquiry"), &serde_json::to_value(inquiry).unwrap_or_default())?;
        }
        for (i, transition) in task.next.iter().enumerate() {
            if let Some(when) = &transition.when {
                check_templates(&format!("{at}.next[{i}].when"), &Value::String(when.clone()))?;
            }
            check_templates(&format!("{at}.next[{i}].publish"), &Value::Object(transition.publish.clone()))?;
        }
    }
    check_templates("output", &graph.output)?;
    Ok(graph)
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

    fn check(tasks: Value) -> Result<WorkflowGraph, String> {
        graph(Map::new(), tasks.as_object().unwrap(), Value::Null)
    }

    #[test]
    fn templates_anywhere_in_the_graph_are_checked() {
        let cases = [
            json!({"a": {"action": "core.noop", "input": {"x": "{{ oops"}}}),
            json!({"a": {"action": "core.noop", "next": [{"when": "{{ 1 + }}"}]}}),
            json!({"a": {"action": "core.noop", "next": [{"publish": {"v": "{% for %}"}}]}}),
            json!({"a": {"action": "core.noop", "with": {"items": "{{ input.hosts"}}}),
            json!({"a": {"inquiry": {"prompt": "{{ }}"}}}),
        ];
        for tasks in cases {
            let error = check(tasks.clone()).unwrap_err();
            assert!(error.contains("invalid template"), "{tasks}: {error}");
        }
        let output = graph(Map::new(), json!({"a": {"action": "core.noop"}}).as_object().unwrap(), json!("{{ x"));
        assert!(output.unwrap_err().starts_with("output"));
    }

    #[test]
    fn a_sound_graph_comes_back_typed() {
        let graph = check(json!({
            "build": {"action": "core.local", "input": {"cmd": "make {{ input.service }}"},
                      "next": [{"when": "{{ succeeded() }}", "do": ["deploy"]}]},
            "deploy": {"action": "core.noop", "with": {"items": "{{ input.hosts }}", "concurrency": 5}},
        }))
        .unwrap();
        assert_eq!(graph.start_tasks(), ["build"]);
        assert!(
            check(json!({"a": {"action": "core.noop", "next": [{"do": "b"}]}}))
                .unwrap_err()
                .contains("unknown task 'b'")
        );
    }
}
