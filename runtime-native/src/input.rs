//! What an action is given: the stdin document and the `ATTUNE_*` variables.
//!
//! Parameters, secrets and the execution-scoped API token travel only on stdin, as one
//! JSON document: `{"parameters": {...}, "secrets": {...}, "context": {...},
//! "config": {...}, "api_token": "..."}`. The environment carries identifiers only (and the
//! W3C `TRACEPARENT`): no credential is ever in it, where every process the action starts
//! would inherit it.

use std::collections::BTreeMap;
use std::ffi::OsString;

use attune_runtime_api::{ExecutionContext, ExecutionRequest};
use serde::Serialize;

/// The stdin document of one execution.
#[derive(Debug, Serialize)]
pub struct ActionInput<'a> {
    /// Validated parameters, defaults applied.
    pub parameters: &'a serde_json::Value,
    /// The secrets the action is granted, by name.
    pub secrets: &'a BTreeMap<String, String>,
    /// Execution id, action and pack refs, attempt, rule and trigger (never the token).
    pub context: &'a ExecutionContext,
    /// The pack's configuration.
    pub config: &'a serde_json::Value,
    /// The execution-scoped API token, when the execution has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_token: Option<&'a str>,
}

impl<'a> ActionInput<'a> {
    /// The input of `request`.
    pub fn of(request: &'a ExecutionRequest) -> Self {
        Self {
            parameters: &request.parameters,
            secrets: &request.secrets,
            context: &request.context,
            config: &request.pack_config,
            api_token: request.context.api_token.as_deref(),
        }
    }

    /// The document as written to stdin (one line of JSON, newline-terminated so that
    /// line-oriented readers such as `read` in shell see a complete line).
    pub fn to_document(&self) -> Vec<u8> {
        let mut document = serde_json::to_vec(self).expect("JSON values always serialize");
        document.push(b'\n');
        document
    }
}

/// The `ATTUNE_*` variables of an execution; the optional ones only when they apply.
pub fn attune_variables(context: &ExecutionContext) -> Vec<(OsString, OsString)> {
    let mut vars: Vec<(&str, String)> = vec![
        ("ATTUNE_ACTION", context.action_ref.clone()),
        ("ATTUNE_EXEC_ID", context.execution_id.to_string()),
        ("ATTUNE_PACK", context.pack_ref.clone()),
    ];
    let optional = [
        ("ATTUNE_API_URL", &context.api_url),
        ("ATTUNE_RULE", &context.rule_ref),
        ("ATTUNE_TRIGGER", &context.trigger_ref),
        // W3C trace context, under the name OpenTelemetry SDKs read.
        ("TRACEPARENT", &context.trace_parent),
    ];
    vars.extend(optional.into_iter().filter_map(|(name, value)| value.clone().map(|value| (name, value))));
    vars.into_iter().map(|(name, value)| (name.into(), value.into())).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_document_holds_everything_and_the_environment_no_credential() {
        let context = ExecutionContext {
            execution_id: 7,
            action_ref: "p.a".into(),
            pack_ref: "p".into(),
            attempt: 1,
            api_token: Some("tok".into()),
            ..ExecutionContext::default()
        };
        let secrets = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        let input = ActionInput {
            parameters: &json!({"x": 1}),
            secrets: &secrets,
            context: &context,
            config: &json!({}),
            api_token: context.api_token.as_deref(),
        };
        let document: serde_json::Value = serde_json::from_slice(&input.to_document()).unwrap();
        assert_eq!(document["parameters"], json!({"x": 1}));
        assert_eq!(document["secrets"], json!({"k": "v"}));
        assert_eq!(document["context"]["execution_id"], json!(7));
        assert_eq!(document["context"].get("api_token"), None, "once, at the top level");
        assert_eq!(document["api_token"], json!("tok"));

        let variables = attune_variables(&context);
        let names: Vec<_> = variables.iter().map(|(k, _)| k.to_str().unwrap()).collect();
        assert_eq!(names, ["ATTUNE_ACTION", "ATTUNE_EXEC_ID", "ATTUNE_PACK"]);
        assert!(variables.iter().all(|(_, v)| v != "tok"));

        let traced = ExecutionContext {
            trace_parent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
            ..context
        };
        let variables = attune_variables(&traced);
        assert_eq!(
            variables.last().map(|(k, v)| (k.to_str().unwrap(), v.to_str().unwrap())),
            Some(("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        );
    }
}
