//! `attune execution list|show|tail|cancel|rerun`, and following an execution to its end
//! (`action run` waits the same way).
//!
//! Following reads `GET /api/v1/executions/{id}/output?follow=true`: newline-delimited JSON,
//! one object per output line, then `{"status", "result"}` once the execution has ended. A
//! stream that breaks before its end (a restarted API, a proxy's idle timeout) is opened
//! again after the last line seen, so no line is shown twice or lost.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, Payload, segment};
use crate::args::{ExecutionCommand, ExecutionFilter, Global};
use crate::failure::Failure;
use crate::output::{self, col};
use crate::params;

/// How often a broken output stream is opened again before giving up.
const REOPENS: u32 = 5;

/// `attune execution ...`.
pub async fn run(api: &mut Api, global: &Global, command: ExecutionCommand) -> Result<(), Failure> {
    match command {
        ExecutionCommand::List(filter) => list(api, global, filter).await,
        ExecutionCommand::Show { id } => {
            let answer = api.get(&format!("/api/v1/executions/{id}"), &[]).await?;
            output::show(&answer["data"], global.json);
            Ok(())
        }
        ExecutionCommand::Tail { id } => wait(api, global, id).await,
        ExecutionCommand::Cancel { id } => {
            let answer = api.post(&format!("/api/v1/executions/{id}/cancel"), &Value::Null).await?;
            if global.json {
                output::show(&answer["data"], true);
            } else {
                println!("Execution {id}: {}.", answer["data"]["status"].as_str().unwrap_or("cancel requested"));
            }
            Ok(())
        }
        ExecutionCommand::Rerun { id, parameters, task, no_wait } => {
            let original = api.get(&format!("/api/v1/executions/{id}"), &[]).await?;
            let mut body = json!({});
            if !parameters.is_empty() {
                let action = original["data"]["action_ref"].as_str().unwrap_or_default();
                let action = api.get(&format!("/api/v1/actions/{}", segment(action)), &[]).await?;
                body["parameters"] = Value::Object(params::parse(&parameters, &action["data"]["param_schema"])?);
            }
            if let Some(task) = task {
                body["task"] = task.into();
            }
            let created = api.post(&format!("/api/v1/executions/{id}/rerun"), &body).await?;
            let new = created["data"]["id"].as_i64().unwrap_or_default();
            if no_wait {
                if global.json {
                    output::show(&created["data"], true)
                } else {
                    println!("{new}")
                }
                return Ok(());
            }
            wait(api, global, new).await
        }
    }
}

async fn list(api: &mut Api, global: &Global, filter: ExecutionFilter) -> Result<(), Failure> {
    let mut query = vec![("page_size", filter.limit.clamp(1, 1000).to_string())];
    query.extend(filter.status.map(|s| ("status", s)));
    query.extend(filter.action.map(|a| ("action_ref", a)));
    query.extend(filter.parent.map(|p| ("parent", p.to_string())));
    let answer = api.get("/api/v1/executions", &query).await?;
    let columns = [
        col("ID", "/id"),
        col("ACTION", "/action_ref"),
        col("STATUS", "/status"),
        col("PARENT", "/parent"),
        col("RULE", "/rule_ref"),
        col("CREATED", "/created"),
    ];
    output::list(&answer, &columns, global.json);
    Ok(())
}

/// Follows execution `id` to its end: its output lines as they come (standard output's to
/// standard output, the rest to standard error; none with `--json`), then its result. The
/// outcome is the exit code: success only when it completed.
pub async fn wait(api: &mut Api, global: &Global, id: i64) -> Result<(), Failure> {
    let spinner = output::spinner(&format!("execution {id}: waiting for it to end"));
    let terminal = std::io::stdout().is_terminal();
    let mut after = 0;
    let mut reopens = 0;
    loop {
        match follow(api, id, &mut after, |line| {
            if global.json {
                return;
            }
            let text = line["text"].as_str().unwrap_or_default();
            spinner.suspend(|| match line["stream"].as_str() {
                Some("stdout") => println!("{}", output::terminal_safe(text, terminal)),
                _ => eprintln!("{}", output::terminal_safe(text, std::io::stderr().is_terminal())),
            });
        })
        .await?
        {
            Followed::Ended => break,
            Followed::Broken if reopens < REOPENS => {
                reopens += 1;
                tokio::time::sleep(Duration::from_millis(200 * u64::from(reopens))).await;
            }
            Followed::Broken => {
                return Err(Failure::Local(format!(
                    "the output stream of execution {id} broke {REOPENS} times; `attune execution tail {id}` follows it again"
                )));
            }
        }
    }
    spinner.finish_and_clear();
    let execution = api.get(&format!("/api/v1/executions/{id}"), &[]).await?;
    let data = &execution["data"];
    let status = data["status"].as_str().unwrap_or("unknown").to_owned();
    if global.json {
        output::show(data, true);
    } else {
        let _ = std::io::stdout().flush();
        eprintln!("execution {id} {status}{}", took(data));
        if let Some(result) = data.get("result").filter(|r| !r.is_null()) {
            output::show(result, false);
        }
    }
    if status == "completed" { Ok(()) } else { Err(Failure::Ended { id, status }) }
}

/// How a followed stream ended.
enum Followed {
    /// With the execution's end.
    Ended,
    /// Before it: open it again.
    Broken,
}

/// Reads one output stream of execution `id` from line `after` on, calling `line` for each
/// output line and moving `after` past it.
async fn follow(api: &mut Api, id: i64, after: &mut i64, mut line: impl FnMut(&Value)) -> Result<Followed, Failure> {
    let query = [("follow", "true".to_owned()), ("after", after.to_string())];
    let path = format!("/api/v1/executions/{id}/output");
    let mut response = api.send(Method::GET, &path, &query, Payload::Empty).await?;
    let mut buffer = Vec::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) | Err(_) => return Ok(Followed::Broken),
        };
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let frame: Vec<u8> = buffer.drain(..=end).collect();
            let Ok(value) = serde_json::from_slice::<Value>(&frame) else { continue };
            if let Some(seq) = value["seq"].as_i64() {
                *after = seq;
                line(&value);
            } else if value.get("status").is_some() {
                return Ok(Followed::Ended);
            }
        }
    }
}

/// " in 1.23 s" from an execution's start and end, when it has both.
fn took(execution: &Value) -> String {
    let time = |key: &str| execution[key].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    match (time("started"), time("finished")) {
        (Some(start), Some(end)) if end >= start => {
            format!(" in {:.2} s", (end - start).num_microseconds().unwrap_or(0) as f64 / 1e6)
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_is_read_from_two_api_times() {
        let execution = json!({"started": "2026-12-31T23:59:59.500Z", "finished": "2027-01-01T00:00:01.750Z"});
        assert_eq!(took(&execution), " in 2.25 s");
        assert_eq!(took(&json!({"started": "2026-01-01T00:00:00Z"})), "");
    }
}
