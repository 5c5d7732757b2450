//! Parameter schemas in the flat, StackStorm-style shape packs declare:
//!
//! ```yaml
//! parameters:
//!   url:   {type: string, required: true}
//!   token: {type: string, secret: true}
//!   width: {type: integer, default: 640, minimum: 1}
//! ```
//!
//! Each entry is a JSON-schema property plus two extensions: `required` (the parameter must
//! be given or have a default) and `secret` (stored encrypted, masked wherever shown). The
//! same shape describes action parameters, trigger parameters and sensor configuration.
//!
//! [`ParamSchema::parse`] checks a declared schema once (at pack registration);
//! [`ParamSchema::validate`] checks a request against it, applies defaults and reports every
//! offending field, so that an API can answer with one 422 listing them all.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// A declared schema is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter '{parameter}': {message}")]
pub struct SchemaError {
    /// The parameter whose declaration is wrong (empty for the schema as a whole).
    pub parameter: String,
    /// What is wrong.
    pub message: String,
}

/// One offending field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The parameter's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A validated parameter schema.
#[derive(Debug)]
pub struct ParamSchema {
    properties: BTreeMap<String, Property>,
}

#[derive(Debug)]
struct Property {
    /// The property without the `required`/`secret` extensions.
    schema: Value,
    required: bool,
    secret: bool,
    default: Option<Value>,
    validator: jsonschema::Validator,
}

impl ParamSchema {
    /// Parses a flat schema (a JSON object of name → property, or null/empty for none).
    pub fn parse(declared: &Value) -> Result<Self, SchemaError> {
        let entries = match declared {
            Value::Null => {
                return Ok(Self { properties: BTreeMap::new() });
            }
            Value::Object(entries) => entries,
            _ => return Err(whole("parameters must be a mapping of name to property")),
        };
        let mut properties = BTreeMap::new();
        for (name, declared) in entries {
            properties.insert(name.clone(), Property::parse(name, declared)?);
        }
        Ok(Self { properties })
    }

    /// Checks `params` (a JSON object; null means none) and returns it with defaults
    /// applied, or every offending field.
    pub fn validate(&self, params: &Value) -> Result<Value, Vec<FieldError>> {
        let empty = Map::new();
        let given = match params {
            Value::Null => &empty,
            Value::Object(given) => given,
            _ => {
                return Err(vec![FieldError {
                    field: String::new(),
                    message: "parameters must be a JSON object".into(),
                }]);
            }
        };
        let mut errors = Vec::new();
        let mut resolved = Map::new();
        for name in given.keys().filter(|name| !self.properties.contains_key(*name)) {
            errors.push(FieldError { field: name.clone(), message: "unknown parameter".into() });
        }
        for (name, property) in &self.properties {
            match given.get(name).or(property.default.as_ref()) {
                Some(value) => {
                    errors.extend(property.check(name, value));
                    resolved.insert(name.clone(), value.clone());
                }
                None if property.required => {
                    errors.push(FieldError { field: name.clone(), message: "required parameter is missing".into() })
                }
                None => {}
            }
        }
        if errors.is_empty() { Ok(Value::Object(resolved)) } else { Err(errors) }
    }

    /// Names of the parameters marked `secret`.
    pub fn secret_names(&self) -> impl Iterator<Item = &str> {
        self.properties.iter().filter(|(_, p)| p.secret).map(|(name, _)| name.as_str())
    }

    /// Whether any parameter is declared.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }

    /// The equivalent standard JSON schema of the whole parameter object (for forms and API
    /// documents): unknown parameters are not allowed.
    pub fn to_json_schema(&self) -> Value {
        let properties: Map<String, Value> =
            self.properties.iter().map(|(name, p)| (name.clone(), p.schema.clone())).collect();
        let required: Vec<&String> = self.properties.iter().filter(|(_, p)| p.required).map(|(name, _)| name).collect();
        serde_json::json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    }
}

impl Property {
    fn parse(name: &str, declared: &Value) -> Result<Self, SchemaError> {
        let err = |message: String| SchemaError { parameter: name.to_owned(), message };
        if name.is_empty() {
            return Err(whole("a parameter name is empty"));
        }
        let Value::Object(fields) = declared else {
            return Err(err("must be a mapping (e.g. {type: string})".into()));
        };
        let mut schema = fields.clone();
        let required = take_flag(&mut schema, "required").map_err(err)?;
        let secret = take_flag(&mut schema, "secret").map_err(err)?;
        let default = schema.get("default").cloned();
        let schema = Value::Object(schema);
        let validator = jsonschema::validator_for(&schema).map_err(|e| err(format!("invalid schema: {e}")))?;
        let property = Self { schema, required, secret, default, validator };
        if let Some(default) = &property.default
            && let Some(problem) = property.check(name, default).into_iter().next()
        {
            return Err(err(format!("default does not match the schema: {}", problem.message)));
        }
        Ok(property)
    }

    fn check(&self, name: &str, value: &Value) -> Vec<FieldError> {
        self.validator
            .iter_errors(value)
            // Masked: a message must say what is wrong, never repeat the value (it may be a
            // secret a template filled in).
            .map(|error| FieldError { field: name.to_owned(), message: error.masked().to_string() })
            .collect()
    }
}

/// Checks that `schema` is a valid JSON schema (null means "no schema" and is accepted).
pub fn check_json_schema(schema: &Value) -> Result<(), String> {
    if schema.is_null() {
        return Ok(());
    }
    jsonschema::validator_for(schema).map(|_| ()).map_err(|e| format!("invalid JSON schema: {e}"))
}

/// Checks `value` (an action's result) against `schema` (its `output_schema`; null means
/// none). Each problem names where in the value it is (`/items/0/id`, or `/` for the whole
/// value) and never repeats the value.
pub fn check_output(schema: &Value, value: &Value) -> Result<(), Vec<FieldError>> {
    if schema.is_null() {
        return Ok(());
    }
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| vec![FieldError { field: "/".into(), message: format!("invalid output_schema: {e}") }])?;
    let problems: Vec<FieldError> = validator
        .iter_errors(value)
        .map(|error| {
            let path = error.instance_path().to_string();
            FieldError { field: if path.is_empty() { "/".into() } else { path }, message: error.masked().to_string() }
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Removes a boolean extension keyword from a property, checking its type.
fn take_flag(schema: &mut Map<String, Value>, key: &str) -> Result<bool, String> {
    match schema.remove(key) {
        None => Ok(false),
        Some(Value::Bool(flag)) => Ok(flag),
        Some(other) => Err(format!("'{key}' must be true or false, not {other}")),
    }
}

fn whole(message: &str) -> SchemaError {
    SchemaError { parameter: String::new(), message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outputs_are_checked_naming_the_field_never_the_value() {
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
        assert!(check_output(&schema, &json!({"id": 3})).is_ok());
        assert!(check_output(&Value::Null, &json!("anything")).is_ok());
        let problems = check_output(&schema, &json!({"id": "s3cret-value"})).unwrap_err();
        assert_eq!(problems[0].field, "/id");
        assert!(!problems[0].message.contains("s3cret"), "{}", problems[0].message);
        let problems = check_output(&schema, &json!({})).unwrap_err();
        assert_eq!(problems[0].field, "/");
    }

    fn schema() -> ParamSchema {
        ParamSchema::parse(&json!({
            "url": {"type": "string", "required": true},
            "token": {"type": "string", "secret": true},
            "width": {"type": "integer", "default": 640, "minimum": 1},
        }))
        .unwrap()
    }

    #[test]
    fn applies_defaults_and_keeps_given_values() {
        let resolved = schema().validate(&json!({"url": "https://x", "token": "t"})).unwrap();
        assert_eq!(resolved, json!({"url": "https://x", "token": "t", "width": 640}));
    }

    #[test]
    fn reports_every_offending_field() {
        let errors = schema().validate(&json!({"width": 0, "color": "red"})).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["color", "url", "width"]);
        assert_eq!(errors[0].message, "unknown parameter");
        assert_eq!(errors[1].message, "required parameter is missing");
        assert!(
            errors[2].message.contains("minimum") || errors[2].message.contains("less than"),
            "{}",
            errors[2].message
        );
    }

    #[test]
    fn messages_never_repeat_the_value() {
        let errors =
            schema().validate(&json!({"url": 42, "token": {"nested": "hunter2-secret"}, "width": "wide-secret"}));
        for error in errors.unwrap_err() {
            assert!(!error.message.contains("hunter2") && !error.message.contains("wide-secret"), "{error:?}");
            assert!(!error.message.contains("42"), "{error:?}");
        }
    }

    #[test]
    fn wrong_types_are_field_errors() {
        let errors = schema().validate(&json!({"url": 42})).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "url");
        assert!(schema().validate(&json!([1])).is_err());
    }

    #[test]
    fn knows_secrets_and_the_equivalent_json_schema() {
        let schema = schema();
        assert_eq!(schema.secret_names().collect::<Vec<_>>(), ["token"]);
        let full = schema.to_json_schema();
        assert_eq!(full["required"], json!(["url"]));
        assert_eq!(full["properties"]["token"], json!({"type": "string"}));
    }

    #[test]
    fn rejects_bad_declarations() {
        let cases = [
            (json!({"a": "string"}), "a"),
            (json!({"a": {"type": "strnig"}}), "a"),
            (json!({"a": {"type": "integer", "default": "x"}}), "a"),
            (json!({"a": {"type": "string", "required": "yes"}}), "a"),
        ];
        for (declared, parameter) in cases {
            let error = ParamSchema::parse(&declared).unwrap_err();
            assert_eq!(error.parameter, parameter, "{declared}");
        }
        assert!(ParamSchema::parse(&json!([1, 2])).is_err());
        assert!(ParamSchema::parse(&Value::Null).unwrap().is_empty());
    }
}
