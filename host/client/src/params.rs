//! `name=value` arguments turned into a JSON object, each value typed by the type the
//! schema declares for the name: `count=3` is the number 3 when `count` is an integer, the
//! string "3" when it is a string. `name=@path` reads the value from a file (its text for a
//! string, its JSON otherwise). Arrays and objects are written as JSON; a name the schema
//! does not know keeps a value that parses as JSON, else the text. What cannot be typed is a
//! usage error naming the parameter; what the server's validation refuses comes back as
//! its own field errors.

use serde_json::{Map, Value};

use crate::failure::Failure;

/// Parses `arguments` against `schema` (a JSON Schema object with `properties`).
pub fn parse(arguments: &[String], schema: &Value) -> Result<Map<String, Value>, Failure> {
    let mut out = Map::new();
    for argument in arguments {
        let Some((name, raw)) = argument.split_once('=') else {
            return Err(Failure::Usage(format!("'{argument}': parameters are given as name=value")));
        };
        if name.is_empty() {
            return Err(Failure::Usage(format!("'{argument}': the parameter's name is missing")));
        }
        let kind = declared_type(schema, name);
        let value = match raw.strip_prefix('@') {
            Some(path) => from_file(name, path, kind)?,
            None => typed(name, raw, kind)?,
        };
        if out.insert(name.to_owned(), value).is_some() {
            return Err(Failure::Usage(format!("parameter '{name}' is given twice")));
        }
    }
    Ok(out)
}

/// The type a schema declares for `name`: packs' flat shape (`{name: {type}}`, SPEC §5) or
/// a JSON Schema object's `properties`.
fn declared_type<'a>(schema: &'a Value, name: &str) -> Option<&'a str> {
    schema["properties"][name]["type"].as_str().or_else(|| schema[name]["type"].as_str())
}

fn from_file(name: &str, path: &str, kind: Option<&str>) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("parameter '{name}': cannot read {path}: {e}")))?;
    match kind {
        Some("string") => Ok(Value::String(text)),
        _ => typed(name, text.trim_end(), kind),
    }
}

fn typed(name: &str, raw: &str, kind: Option<&str>) -> Result<Value, Failure> {
    let wrong = |expected: &str| Failure::Usage(format!("parameter '{name}' expects {expected}, got '{raw}'"));
    Ok(match kind {
        Some("string") => Value::String(raw.to_owned()),
        Some("integer") => Value::from(raw.trim().parse::<i64>().map_err(|_| wrong("an integer"))?),
        Some("number") => {
            let number: f64 = raw.trim().parse().map_err(|_| wrong("a number"))?;
            serde_json::Number::from_f64(number).map(Value::Number).ok_or_else(|| wrong("a finite number"))?
        }
        Some("boolean") => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Value::Bool(true),
            "false" | "no" | "off" | "0" => Value::Bool(false),
            _ => return Err(wrong("true or false")),
        },
        Some("array") => match serde_json::from_str(raw) {
            Ok(value @ Value::Array(_)) => value,
            _ => return Err(wrong("a JSON array (e.g. '[\"a\",\"b\"]')")),
        },
        Some("object") => match serde_json::from_str(raw) {
            Ok(value @ Value::Object(_)) => value,
            _ => return Err(wrong("a JSON object (e.g. '{\"k\":1}')")),
        },
        _ => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A pack's flat parameter schema.
    fn schema() -> Value {
        json!({
            "message": {"type": "string", "required": true}, "count": {"type": "integer"},
            "ratio": {"type": "number"}, "loud": {"type": "boolean"}, "hosts": {"type": "array"},
            "extra": {"type": "object"}
        })
    }

    #[test]
    fn a_json_schema_object_types_its_properties_too() {
        let schema = json!({"type": "object", "properties": {"approved": {"type": "boolean"}}});
        assert_eq!(parse(&args(&["approved=no"]), &schema).expect("typed")["approved"], false);
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_are_typed_by_the_schema() {
        let parsed = parse(
            &args(&[
                "message=42",
                "count=3",
                "ratio=0.5",
                "loud=yes",
                "hosts=[\"a\",\"b\"]",
                "extra={\"k\":1}",
                "other=7",
                "word=hi",
            ]),
            &schema(),
        )
        .expect("typed");
        assert_eq!(
            Value::Object(parsed),
            json!({"message": "42", "count": 3, "ratio": 0.5, "loud": true, "hosts": ["a", "b"],
                   "extra": {"k": 1}, "other": 7, "word": "hi"})
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_parameter() {
        for (argument, expected) in [
            ("count=three", "parameter 'count' expects an integer, got 'three'"),
            ("loud=maybe", "parameter 'loud' expects true or false"),
            ("hosts=a,b", "parameter 'hosts' expects a JSON array"),
            ("ratio=NaN", "parameter 'ratio' expects a finite number"),
            ("novalue", "parameters are given as name=value"),
        ] {
            let error = parse(&args(&[argument]), &schema()).expect_err(argument);
            assert_eq!(error.exit_code(), 2);
            assert!(error.to_string().contains(expected), "{error}");
        }
        let twice = parse(&args(&["count=1", "count=2"]), &schema()).expect_err("twice");
        assert!(twice.to_string().contains("given twice"));
    }

    #[test]
    fn a_value_can_come_from_a_file() {
        let dir = tempfile::tempdir().expect("a directory");
        let text = dir.path().join("message.txt");
        std::fs::write(&text, "line one\nline two\n").expect("written");
        let hosts = dir.path().join("hosts.json");
        std::fs::write(&hosts, "[\"a\", \"b\"]\n").expect("written");
        let parsed =
            parse(&args(&[&format!("message=@{}", text.display()), &format!("hosts=@{}", hosts.display())]), &schema())
                .expect("read");
        assert_eq!(parsed["message"], "line one\nline two\n");
        assert_eq!(parsed["hosts"], json!(["a", "b"]));
        let missing = parse(&args(&["message=@/nonexistent/file"]), &schema()).expect_err("missing");
        assert!(missing.to_string().contains("/nonexistent/file"), "{missing}");
    }
}
