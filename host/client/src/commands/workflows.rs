//! `attune workflow show`: a workflow execution's task graph as text — each task with its
//! state, its child executions, and its transitions with their conditions; then the
//! published variables (secret ones arrive masked).

use std::fmt::Write;

use serde_json::Value;

use crate::api::Api;
use crate::args::{Global, WorkflowCommand};
use crate::failure::Failure;
use crate::output;

/// Task runs listed per task; the rest are counted.
const RUNS_SHOWN: usize = 10;

/// `attune workflow ...`.
pub async fn run(api: &mut Api, global: &Global, command: WorkflowCommand) -> Result<(), Failure> {
    let WorkflowCommand::Show { id } = command;
    let answer = api.get(&format!("/api/v1/executions/{id}/workflow"), &[]).await?;
    if global.json {
        output::show(&answer["data"], true);
    } else {
        print!("{}", render(&answer["data"]));
    }
    Ok(())
}

/// The run as text.
fn render(run: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut out = String::new();
    let _ =
        write!(out, "workflow {} (execution {}): {}", text(&run["workflow"]), run["execution"], text(&run["status"]));
    if run["paused"].as_bool() == Some(true) {
        let _ = write!(out, ", paused");
    }
    out.push('\n');
    if let Some(error) = run["error"].as_str() {
        let _ = writeln!(out, "error: {error}");
    }
    for task in run["tasks"].as_array().into_iter().flatten() {
        let _ = write!(out, "\n{} [{}]", text(&task["name"]), task["state"].as_str().unwrap_or("not_started"));
        let _ = write!(out, "  {}", text(&task["action"]));
        if let Some(items) = task["items"].as_object() {
            let count = |k: &str| items.get(k).and_then(Value::as_u64).unwrap_or(0);
            let _ = write!(out, "  items {}/{} ended, {} failed", count("done"), count("total"), count("failed"));
        }
        out.push('\n');
        let runs = task["runs"].as_array().cloned().unwrap_or_default();
        for run in runs.iter().take(RUNS_SHOWN) {
            let execution = run["execution"].as_i64().map_or("-".to_owned(), |id| id.to_string());
            let item = run["index"].as_i64().map(|i| format!(" item {i}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  run{item}: execution {execution} {} (attempts {})",
                text(&run["status"]),
                run["attempts"].as_i64().unwrap_or(1)
            );
        }
        if runs.len() > RUNS_SHOWN {
            let _ = writeln!(out, "  ... {} more runs", runs.len() - RUNS_SHOWN);
        }
        for next in task["next"].as_array().into_iter().flatten() {
            let to: Vec<String> = next["to"].as_array().into_iter().flatten().map(text).collect();
            let when = next["when"].as_str().map(|w| format!(" when {w}")).unwrap_or_default();
            let publish: Vec<String> = next["publish"].as_array().into_iter().flatten().map(text).collect();
            let publish = if publish.is_empty() { String::new() } else { format!(" publish {}", publish.join(", ")) };
            let to = if to.is_empty() { "(end)".to_owned() } else { to.join(", ") };
            let _ = writeln!(out, "  -> {to}{when}{publish}");
        }
    }
    if let Some(variables) = run["variables"].as_object().filter(|v| !v.is_empty()) {
        out.push_str("\nvariables:\n");
        for (name, value) in variables {
            let _ = writeln!(out, "  {name}: {value}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::render;

    #[test]
    fn a_run_renders_tasks_runs_and_edges() {
        let run = json!({
            "execution": 7, "workflow": "examples.deploy", "status": "running", "paused": false,
            "tasks": [
                {"name": "build", "action": "core.echo", "state": "succeeded",
                 "runs": [{"execution": 8, "status": "completed", "attempts": 2, "index": null}],
                 "next": [{"when": "{{ succeeded() }}", "publish": ["image"], "to": ["ship"]}]},
                {"name": "ship", "action": "core.echo", "state": null, "runs": [], "next": []}
            ],
            "variables": {"image": "app:1", "token": "********"}
        });
        assert_eq!(
            render(&run),
            "workflow examples.deploy (execution 7): running\n\
             \nbuild [succeeded]  core.echo\n  run: execution 8 completed (attempts 2)\n  -> ship when {{ succeeded() }} publish image\n\
             \nship [not_started]  core.echo\n\
             \nvariables:\n  image: \"app:1\"\n  token: \"********\"\n"
        );
    }
}
