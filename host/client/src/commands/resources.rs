//! The nouns whose commands are plain list / show / change requests: rules, triggers,
//! sensors, webhooks, keys, inquiries.

use std::io::Read;
use std::path::Path;

use serde_json::{Value, json};

use crate::api::{Api, segment};
use crate::args::{Global, InquiryCommand, KeyCommand, KeyScope, ListOnly, Page, RuleCommand, WebhookCommand};
use crate::failure::Failure;
use crate::output::{self, Column, col};
use crate::params;

/// The query of a list: page size, and the pack filter when given.
pub fn page_query(limit: u32, pack: Option<&String>) -> Vec<(&'static str, String)> {
    let mut query = vec![("page_size", limit.clamp(1, 1000).to_string())];
    query.extend(pack.map(|p| ("pack", p.clone())));
    query
}

pub async fn list(
    api: &mut Api,
    global: &Global,
    path: &str,
    query: &[(&str, String)],
    columns: &[Column],
) -> Result<(), Failure> {
    let answer = api.get(path, query).await?;
    output::list(&answer, columns, global.json);
    Ok(())
}

pub async fn show(api: &mut Api, global: &Global, path: &str, query: &[(&str, String)]) -> Result<(), Failure> {
    let answer = api.get(path, query).await?;
    output::show(&answer["data"], global.json);
    Ok(())
}

/// Prints what a change answered: the JSON with `--json`, else `done`.
pub fn changed(global: &Global, answer: &Value, done: &str) {
    if global.json {
        output::show(answer.get("data").unwrap_or(answer), true);
    } else {
        println!("{done}");
    }
}

/// `attune rule ...`.
pub async fn rule(api: &mut Api, global: &Global, command: RuleCommand) -> Result<(), Failure> {
    let path = |rule: &str| format!("/api/v1/rules/{}", segment(rule));
    match command {
        RuleCommand::List(page) => {
            let columns = [
                col("REF", "/ref"),
                col("TRIGGER", "/trigger_ref"),
                col("ACTION", "/action_ref"),
                col("ENABLED", "/enabled"),
            ];
            list(api, global, "/api/v1/rules", &page_query(page.limit, page.pack.as_ref()), &columns).await
        }
        RuleCommand::Show { rule } => show(api, global, &path(&rule), &[]).await,
        RuleCommand::Create { file } => {
            let body = read_document(&file)?;
            let answer = api.post("/api/v1/rules", &body).await?;
            let created = answer["data"]["ref"].as_str().unwrap_or_default().to_owned();
            changed(global, &answer, &format!("Created rule {created}."));
            Ok(())
        }
        RuleCommand::Enable { rule } => {
            let answer = api.post(&format!("{}/enable", path(&rule)), &Value::Null).await?;
            changed(global, &answer, &format!("Enabled rule {rule}."));
            Ok(())
        }
        RuleCommand::Disable { rule } => {
            let answer = api.post(&format!("{}/disable", path(&rule)), &Value::Null).await?;
            changed(global, &answer, &format!("Disabled rule {rule}."));
            Ok(())
        }
        RuleCommand::Delete { rule } => {
            let answer = api.delete(&path(&rule), &[]).await?;
            changed(global, &answer, &format!("Deleted rule {rule}."));
            Ok(())
        }
    }
}

/// A YAML or JSON document (JSON is YAML) from a file, named in any error.
fn read_document(file: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| Failure::file(file, e))?;
    let value: Value = serde_yaml_ng::from_str(&text).map_err(|e| Failure::file(file, e))?;
    if !value.is_object() {
        return Err(Failure::file(file, "expected a mapping of the rule's fields (ref, trigger, action, ...)"));
    }
    Ok(value)
}

/// `attune trigger list`.
pub async fn trigger(api: &mut Api, global: &Global, command: ListOnly) -> Result<(), Failure> {
    let ListOnly::List(Page { limit, pack }) = command;
    let columns = [col("REF", "/ref"), col("ENABLED", "/enabled"), col("DESCRIPTION", "/description")];
    list(api, global, "/api/v1/triggers", &page_query(limit, pack.as_ref()), &columns).await
}

/// `attune sensor list`.
pub async fn sensor(api: &mut Api, global: &Global, command: ListOnly) -> Result<(), Failure> {
    let ListOnly::List(Page { limit, pack }) = command;
    let columns = [
        col("REF", "/ref"),
        col("RUNNER", "/runner_type"),
        col("TRIGGERS", "/trigger_types"),
        col("ENABLED", "/enabled"),
        col("STATUS", "/status"),
    ];
    list(api, global, "/api/v1/sensors", &page_query(limit, pack.as_ref()), &columns).await
}

/// `attune webhook ...`.
pub async fn webhook(api: &mut Api, global: &Global, command: WebhookCommand) -> Result<(), Failure> {
    match command {
        WebhookCommand::List(page) => {
            let columns = [col("NAME", "/name"), col("ENABLED", "/enabled"), col("DESCRIPTION", "/description")];
            list(api, global, "/api/v1/webhooks", &page_query(page.limit, None), &columns).await
        }
        WebhookCommand::Create { name, description, secret_stdin } => {
            let mut body = json!({"name": name});
            if let Some(description) = description {
                body["description"] = description.into();
            }
            if secret_stdin {
                body["secret"] = stdin_value("--secret-stdin")?.into();
            }
            let answer = api.post("/api/v1/webhooks", &body).await?;
            changed(global, &answer, &format!("Created webhook {name}: POST {}/api/v1/webhooks/{name}", api.url()));
            Ok(())
        }
        WebhookCommand::Delete { name } => {
            let answer = api.delete(&format!("/api/v1/webhooks/{}", segment(&name)), &[]).await?;
            changed(global, &answer, &format!("Deleted webhook {name}."));
            Ok(())
        }
    }
}

/// Standard input as one value, without its final line break.
fn stdin_value(flag: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Local(format!("{flag}: cannot read standard input: {e}")))?;
    Ok(text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text).to_owned())
}

fn scope_query(scope: &KeyScope) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    query.extend(scope.scope.clone().map(|s| ("scope", s)));
    query.extend(scope.owner.clone().map(|o| ("owner", o)));
    query
}

/// `attune key ...`.
pub async fn key(api: &mut Api, global: &Global, command: KeyCommand) -> Result<(), Failure> {
    let path = |name: &str| format!("/api/v1/keys/{}", segment(name));
    match command {
        KeyCommand::List { scope, prefix, limit } => {
            let mut query = page_query(limit, None);
            query.extend(scope_query(&scope));
            query.extend(prefix.map(|p| ("prefix", p)));
            let columns = [
                col("NAME", "/name"),
                col("SCOPE", "/scope"),
                col("OWNER", "/owner"),
                col("ENCRYPTED", "/encrypted"),
                col("VALUE", "/value"),
            ];
            list(api, global, "/api/v1/keys", &query, &columns).await
        }
        KeyCommand::Get { name, scope, decrypt } => {
            let mut query = scope_query(&scope);
            if decrypt {
                query.push(("decrypt", "true".into()));
            }
            let answer = api.get(&path(&name), &query).await?;
            if global.json {
                output::show(&answer["data"], true);
            } else {
                println!("{}", answer["data"]["value"].as_str().unwrap_or_default());
            }
            Ok(())
        }
        KeyCommand::Set { name, value, scope, encrypted, ttl } => {
            let value = if value == "-" { stdin_value("key set -")? } else { value };
            let mut body = json!({"value": value, "encrypted": encrypted});
            if let Some(ttl) = ttl {
                body["ttl_s"] = ttl.into();
            }
            let answer = api.put(&path(&name), &scope_query(&scope), &body).await?;
            changed(global, &answer, &format!("Set key {name}."));
            Ok(())
        }
        KeyCommand::Delete { name, scope } => {
            let answer = api.delete(&path(&name), &scope_query(&scope)).await?;
            changed(global, &answer, &format!("Deleted key {name}."));
            Ok(())
        }
    }
}

/// `attune inquiry ...`.
pub async fn inquiry(api: &mut Api, global: &Global, command: InquiryCommand) -> Result<(), Failure> {
    match command {
        InquiryCommand::List { status, limit } => {
            let mut query = page_query(limit, None);
            query.extend(status.map(|s| ("status", s)));
            let columns =
                [col("ID", "/id"), col("STATUS", "/status"), col("EXECUTION", "/execution"), col("PROMPT", "/prompt")];
            list(api, global, "/api/v1/inquiries", &query, &columns).await
        }
        InquiryCommand::Respond { id, fields, response } => {
            let path = format!("/api/v1/inquiries/{id}");
            let answer = match response {
                Some(text) => serde_json::from_str::<Value>(&text)
                    .ok()
                    .filter(Value::is_object)
                    .ok_or_else(|| Failure::Usage("--response: expected a JSON object".into()))?,
                None => {
                    let inquiry = api.get(&path, &[]).await?;
                    Value::Object(params::parse(&fields, &inquiry["data"]["response_schema"])?)
                }
            };
            let answered = api.post(&format!("{path}/respond"), &json!({"response": answer})).await?;
            changed(global, &answered, &format!("Answered inquiry {id}."));
            Ok(())
        }
    }
}
