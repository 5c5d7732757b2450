//! The shell convenience variables: `PARAM_<NAME>`, `SECRET_<NAME>` and, when the
//! execution has one, `ATTUNE_API_TOKEN`.
//!
//! Shell scripts would otherwise need `jq` to read their stdin document. The shell runner
//! sources a prelude of plain assignments before the script, so each top-level parameter
//! and each granted secret is a shell variable. The assignments are not exported: child
//! processes of the script do not see them, and they never reach `/proc/<pid>/environ`.
//!
//! - The name is the parameter's, uppercased, with every character other than an ASCII
//!   letter or digit replaced by `_` (`max-count` → `PARAM_MAX_COUNT`). Names that map to
//!   the same variable: the later one (in sorted order) wins.
//! - Strings are their text; numbers and booleans their JSON text (`3`, `1.5`, `true`);
//!   objects and arrays their compact JSON text; `null` is empty.
//! - Values are written in bash's `$'...'` quoting with every byte outside printable ASCII
//!   (and `'`, `\\`) as an escape, so nothing in them is ever expanded or executed and the
//!   prelude is pure ASCII. NUL bytes, which a shell variable cannot hold, are dropped.

use std::collections::BTreeMap;
use std::fmt::Write;

/// The prelude for `parameters` (a JSON object; anything else gives no parameter
/// variables), `secrets` and the execution's `api_token`.
pub fn shell_prelude(
    parameters: &serde_json::Value,
    secrets: &BTreeMap<String, String>,
    api_token: Option<&str>,
) -> String {
    let mut prelude = String::new();
    if let Some(parameters) = parameters.as_object() {
        // Sorted here: the map's own order depends on serde_json's features.
        let mut parameters: Vec<_> = parameters.iter().collect();
        parameters.sort_by_key(|(name, _)| *name);
        for (name, value) in parameters {
            let text = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            assign(&mut prelude, "PARAM_", name, &text);
        }
    }
    for (name, value) in secrets {
        assign(&mut prelude, "SECRET_", name, value);
    }
    if let Some(token) = api_token {
        assign(&mut prelude, "ATTUNE_", "API_TOKEN", token);
    }
    prelude
}

/// The variable for `name` with `prefix` (`PARAM_`, `SECRET_`).
pub fn shell_variable_name(prefix: &str, name: &str) -> String {
    let mut variable = String::with_capacity(prefix.len() + name.len());
    variable.push_str(prefix);
    variable.extend(name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }));
    variable
}

fn assign(prelude: &mut String, prefix: &str, name: &str, value: &str) {
    prelude.push_str(&shell_variable_name(prefix, name));
    prelude.push_str("=$'");
    for byte in value.bytes() {
        match byte {
            0 => {}
            b'\'' | b'\\' => {
                prelude.push('\\');
                prelude.push(char::from(byte));
            }
            b' '..=b'~' => prelude.push(char::from(byte)),
            other => {
                let _ = write!(prelude, "\\x{other:02x}");
            }
        }
    }
    prelude.push_str("'\n");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_kind_of_value_becomes_a_quoted_assignment() {
        let parameters = json!({
            "message": "it's $(rm -rf /) `x` \\ é\n",
            "max-count": 3,
            "ratio": 1.5,
            "dry_run": true,
            "nothing": null,
            "tags": ["a", "b"],
            "nul": "a\u{0}b",
            "café": "x",
        });
        let secrets = BTreeMap::from([("api.token".to_owned(), "s3cr3t".to_owned())]);
        let prelude = shell_prelude(&parameters, &secrets, None);
        let lines: Vec<&str> = prelude.lines().collect();
        assert!(prelude.is_ascii());
        assert_eq!(
            lines,
            [
                "PARAM_CAF_=$'x'",
                "PARAM_DRY_RUN=$'true'",
                "PARAM_MAX_COUNT=$'3'",
                "PARAM_MESSAGE=$'it\\'s $(rm -rf /) `x` \\\\ \\xc3\\xa9\\x0a'",
                "PARAM_NOTHING=$''",
                "PARAM_NUL=$'ab'",
                "PARAM_RATIO=$'1.5'",
                "PARAM_TAGS=$'[\"a\",\"b\"]'",
                "SECRET_API_TOKEN=$'s3cr3t'",
            ]
        );
    }

    #[test]
    fn the_api_token_is_an_unexported_variable_too() {
        let prelude = shell_prelude(&json!({}), &BTreeMap::new(), Some("t'k"));
        assert_eq!(prelude, "ATTUNE_API_TOKEN=$'t\\'k'\n");
    }
}
