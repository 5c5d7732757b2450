//! A workflow's task graph (SPEC §9), parsed once into types.
//!
//! Registration parses a workflow file's `vars`, `tasks` and `output` into a
//! [`WorkflowGraph`] and checks its structure ([`WorkflowGraph::check`]); the workflow
//! engine reads the stored definition back with [`WorkflowGraph::parse`]. Template strings
//! stay strings here: the template environment checks and renders them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::refs::ComponentRef;

/// A workflow's graph: its variables, tasks by name, and what it outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowGraph {
    /// Initial workflow variables (`vars.<name>` in templates).
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// The tasks, by name.
    pub tasks: BTreeMap<String, Task>,
    /// The workflow's result, rendered when it ends.
    #[serde(default)]
    pub output: Value,
}

/// One task: an action to run (or a question to ask), and where to go next.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The action it runs (`pack.name`); a task has this or `inquiry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The question it asks, pausing the workflow until answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inquiry: Option<InquiryTask>,
    /// The action's parameters (templates).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub input: Map<String, Value>,
    /// Transitions, evaluated in order once the task ends; every matching one fires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<Transition>,
    /// Runs a failed task again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<TaskRetry>,
    /// Seconds the task may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Waits for all (or N) of its inbound transitions before starting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<Join>,
    /// Runs the task once per item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<WithItems>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A question a task asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InquiryTask {
    /// What is asked (a template).
    pub prompt: String,
    /// JSON Schema of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// Who may answer: identities and/or permission sets (one name or a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<Value>,
    /// Seconds to wait for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// One transition out of a task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Fires only when this template is true; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Workflow variables to set when it fires (templates).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub publish: Map<String, Value>,
    /// The tasks it starts (one name or a list).
    #[serde(default, rename = "do", deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

/// How a task runs again after failing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRetry {
    /// Attempts after the first.
    pub count: u32,
    /// Seconds before the first retry.
    #[serde(default)]
    pub delay: f64,
    /// How the delay grows.
    #[serde(default)]
    pub backoff: Backoff,
    /// Longest delay, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<f64>,
}

/// How retry delays grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay each time.
    #[default]
    Fixed,
    /// Doubling each time.
    Exponential,
}

/// A barrier: how many inbound transitions a task waits for (`all`, or a number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Every task with a transition to it.
    All,
    /// This many of them.
    Count(u32),
}

/// Iterating a task over items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithItems {
    /// The items: a list, or a template that renders to one.
    pub items: Value,
    /// Items run at once at most: a number, or a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Value>,
}

impl WorkflowGraph {
    /// Parses a stored definition (`{vars, tasks, output}`). Errors name the task.
    pub fn parse(definition: &Value) -> Result<Self, String> {
        let fields = definition.as_object().ok_or("a workflow definition must be a mapping")?;
        if let Some(key) = fields.keys().find(|k| !matches!(k.as_str(), "vars" | "tasks" | "output")) {
            return Err(format!("unknown key '{key}' in a workflow definition"));
        }
        let vars = match fields.get("vars") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(vars)) => vars.clone(),
            Some(_) => return Err("vars must be a mapping".into()),
        };
        let tasks = match fields.get("tasks") {
            Some(Value::Object(tasks)) => Self::parse_tasks(tasks)?,
            _ => return Err("tasks: a workflow needs a mapping of tasks".into()),
        };
        Ok(Self { vars, tasks, output: fields.get("output").cloned().unwrap_or(Value::Null) })
    }

    /// Parses `tasks`, each on its own, so that an error names its task.
    pub fn parse_tasks(tasks: &Map<String, Value>) -> Result<BTreeMap<String, Task>, String> {
        tasks
            .iter()
            .map(|(name, task)| {
                serde_json::from_value(task.clone())
                    .map(|task| (name.clone(), task))
                    .map_err(|e| format!("tasks.{name}: {e}"))
            })
            .collect()
    }

    /// The tasks no transition leads to: where a run starts.
    pub fn start_tasks(&self) -> Vec<&str> {
        let targeted: BTreeSet<&str> =
            self.tasks.values().flat_map(|t| &t.next).flat_map(|n| &n.targets).map(String::as_str).collect();
        self.tasks.keys().map(String::as_str).filter(|name| !targeted.contains(name)).collect()
    }

    /// The structural rules: at least one task; each runs an action (a valid ref) or asks
    /// an inquiry, not both; joins are positive; transitions lead to tasks that exist; some
    /// task can start; no loop of unconditional transitions (it could never end).
    pub fn check(&self) -> Result<(), String> {
        if self.tasks.is_empty() {
            return Err("tasks: a workflow needs at least one task".into());
        }
        for (name, task) in &self.tasks {
            let at = format!("tasks.{name}");
            match (&task.action, &task.inquiry) {
                (Some(_), Some(_)) => return Err(format!("{at}: a task has either 'action' or 'inquiry', not both")),
                (None, None) => return Err(format!("{at}: a task needs 'action' or 'inquiry'")),
                (Some(action), None) => {
                    ComponentRef::parse(action).map_err(|e| format!("{at}.action: {e}"))?;
                }
                (None, Some(_)) => {}
            }
            if task.join == Some(Join::Count(0)) {
                return Err(format!("{at}.join must be 'all' or a positive number"));
            }
            for (i, transition) in task.next.iter().enumerate() {
                if let Some(target) = transition.targets.iter().find(|t| !self.tasks.contains_key(*t)) {
                    return Err(format!("{at}.next[{i}].do: unknown task '{target}'"));
                }
            }
        }
        if self.start_tasks().is_empty() {
            return Err("tasks: every task is the target of a transition, so none can start".into());
        }
        if let Some(task) = self.unconditional_cycle() {
            return Err(format!("tasks: task '{task}' is on a loop of unconditional transitions that can never end"));
        }
        Ok(())
    }

    /// A task on a cycle made only of transitions without `when`, if any.
    fn unconditional_cycle(&self) -> Option<&str> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Visiting,
            Done,
        }
        fn visit<'a>(graph: &'a WorkflowGraph, node: &'a str, marks: &mut BTreeMap<&'a str, Mark>) -> Option<&'a str> {
            match marks.get(node) {
                Some(Mark::Visiting) => return Some(node),
                Some(Mark::Done) => return None,
                None => {}
            }
            marks.insert(node, Mark::Visiting);
            let unconditional = graph.tasks.get(node).into_iter().flat_map(|t| &t.next).filter(|n| n.when.is_none());
            for target in unconditional.flat_map(|n| &n.targets) {
                if let Some(found) = visit(graph, target, marks) {
                    return Some(found);
                }
            }
            marks.insert(node, Mark::Done);
            None
        }
        let mut marks = BTreeMap::new();
        self.tasks.keys().find_map(|node| visit(self, node, &mut marks))
    }
}

impl<'de> Deserialize<'de> for Join {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(word) if word == "all" => Ok(Join::All),
            Value::Number(n) if n.as_u64().is_some_and(|n| n >= 1 && n <= u64::from(u32::MAX)) => {
                Ok(Join::Count(n.as_u64().unwrap_or(1) as u32))
            }
            other => Err(serde::de::Error::custom(format!("join must be 'all' or a positive number, not {other}"))),
        }
    }
}

impl Serialize for Join {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Join::All => serializer.serialize_str("all"),
            Join::Count(n) => serializer.serialize_u32(*n),
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(deserializer) {
        Ok(OneOrMany::One(one)) => Ok(vec![one]),
        Ok(OneOrMany::Many(many)) => Ok(many),
        Err(_) => Err(serde::de::Error::custom("do must be a task name or a list of them")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn graph(tasks: Value) -> Result<WorkflowGraph, String> {
        let graph = WorkflowGraph::parse(&json!({"tasks": tasks}))?;
        graph.check().map(|()| graph)
    }

    #[test]
    fn parses_the_spec_example_into_types() {
        let graph = graph(json!({
            "build": {"action": "core.local", "input": {"cmd": "make {{ input.service }}"},
                      "retry": {"count": 3, "delay": 2, "backoff": "exponential", "max_delay": 30},
                      "timeout": 300,
                      "next": [{"when": "{{ succeeded() }}", "publish": {"artifact": "{{ result().stdout }}"},
                                "do": ["test", "lint"]},
                               {"when": "{{ failed() }}", "do": "notify"}]},
            "test": {"action": "core.noop", "next": [{"do": "deploy"}]},
            "lint": {"action": "core.noop", "next": [{"do": "deploy"}]},
            "deploy": {"join": "all", "action": "core.noop", "with": {"items": "{{ input.hosts }}", "concurrency": 5}},
            "notify": {"action": "core.echo", "input": {"message": "failed"}},
            "approve": {"inquiry": {"prompt": "Ship it?", "assigned_to": "ops", "timeout": 3600}},
        }))
        .unwrap();
        let build = &graph.tasks["build"];
        assert_eq!(build.retry.as_ref().map(|r| (r.count, r.backoff)), Some((3, Backoff::Exponential)));
        assert_eq!(build.next[0].targets, ["test", "lint"]);
        assert_eq!(build.next[1].targets, ["notify"], "one name is a list of one");
        assert_eq!(graph.tasks["deploy"].join, Some(Join::All));
        assert_eq!(graph.start_tasks(), ["approve", "build"]);
        // What is stored reads back the same.
        let stored = serde_json::to_value(&graph).unwrap();
        assert_eq!(WorkflowGraph::parse(&stored).unwrap(), graph);
    }

    #[test]
    fn rejects_broken_graphs_naming_the_task() {
        let cases = [
            (json!({}), "at least one task"),
            (json!({"a": {"action": "core.noop", "next": [{"do": "b"}]}}), "unknown task 'b'"),
            (json!({"a": {"action": "nopack"}}), "tasks.a.action"),
            (json!({"a": {"action": "core.noop", "colour": 1}}), "tasks.a: unknown field `colour`"),
            (json!({"a": {"action": "core.noop", "join": 0}}), "positive number"),
            (json!({"a": {"action": "core.noop", "next": [{"do": 3}]}}), "task name or a list"),
            (json!({"a": {"inquiry": {"schema": {}}}}), "tasks.a: missing field `prompt`"),
            (json!({"a": {"input": {}}}), "needs 'action' or 'inquiry'"),
            (json!({"a": {"action": "core.noop", "next": [{"do": "a"}]}}), "none can start"),
            (
                json!({"s": {"action": "core.noop", "next": [{"do": "a"}]},
                    "a": {"action": "core.noop", "next": [{"do": "b"}]},
                    "b": {"action": "core.noop", "next": [{"do": "a"}]}}),
                "can never end",
            ),
        ];
        for (tasks, expected) in cases {
            let error = graph(tasks.clone()).unwrap_err();
            assert!(error.contains(expected), "{tasks}: {error}");
        }
    }

    #[test]
    fn conditional_loops_are_allowed() {
        graph(json!({
            "s": {"action": "core.noop", "next": [{"do": "poll"}]},
            "poll": {"action": "core.noop", "next": [{"when": "{{ failed() }}", "do": "poll"}]},
        }))
        .unwrap();
    }
}
