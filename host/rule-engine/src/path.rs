//! Dotted paths into an event.
//!
//! `trigger.<path>` and `event.payload.<path>` address the payload; `event.id`,
//! `event.trigger` and `event.created` the event itself; any other path is read from the
//! payload too. Segments index objects by key and arrays by position (`items.0.name`).

use serde_json::{Value, json};

/// What criteria and templates see of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    /// The event's id.
    pub id: i64,
    /// Its trigger's ref.
    pub trigger: String,
    /// When it was created (RFC 3339).
    pub created: String,
    /// Its payload.
    pub payload: Value,
}

impl EventView {
    /// The value at `path`, if there is one.
    pub fn resolve(&self, path: &str) -> Option<Value> {
        let (root, rest) = match path {
            "event.id" => return Some(json!(self.id)),
            "event.trigger" => return Some(json!(self.trigger)),
            "event.created" => return Some(json!(self.created)),
            "trigger" | "event.payload" => return Some(self.payload.clone()),
            _ => match path.strip_prefix("trigger.").or_else(|| path.strip_prefix("event.payload.")) {
                Some(rest) => (&self.payload, rest),
                None => (&self.payload, path),
            },
        };
        lookup(root, rest).cloned()
    }

    /// The event as the `event` namespace of templates.
    pub fn as_json(&self) -> Value {
        json!({ "id": self.id, "trigger": self.trigger, "created": self.created, "payload": self.payload })
    }
}

/// The value at a dotted `path` below `root`.
pub fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(root, |node, segment| match node {
        Value::Object(fields) => fields.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> EventView {
        EventView {
            id: 7,
            trigger: "core.webhook".into(),
            created: "2026-01-01T00:00:00Z".into(),
            payload: json!({"body": {"level": "error", "items": [{"name": "a"}, {"name": "b"}]}}),
        }
    }

    #[test]
    fn both_prefixes_address_the_payload() {
        let view = view();
        for path in ["trigger.body.level", "event.payload.body.level", "body.level"] {
            assert_eq!(view.resolve(path), Some(json!("error")), "{path}");
        }
        assert_eq!(view.resolve("trigger.body.items.1.name"), Some(json!("b")));
        assert_eq!(view.resolve("trigger.body.items.9.name"), None);
        assert_eq!(view.resolve("trigger.body.level.deeper"), None);
        assert_eq!(view.resolve("event.id"), Some(json!(7)));
        assert_eq!(view.resolve("event.trigger"), Some(json!("core.webhook")));
        assert_eq!(view.resolve("trigger"), Some(view.payload.clone()));
    }
}
