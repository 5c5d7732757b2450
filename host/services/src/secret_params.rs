//! Secret parameters: sealed (AES-256-GCM) in the store, unsealed only for the worker that
//! runs the action, and masked in everything shown.
//!
//! A sealed value replaces the parameter's JSON value with the encryption of its JSON text,
//! so any type of value can be secret.

use attune_domain::{Json, MASK};
use attune_security::Cipher;
use serde_json::Value;

/// Why sealed parameters could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("secret parameter '{name}' cannot be decrypted: {reason}")]
pub struct UnsealError {
    /// The parameter.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// Parameters with every secret one encrypted.
pub fn seal<'n>(params: &Json, secret_names: impl IntoIterator<Item = &'n str>, cipher: &Cipher) -> Json {
    let mut sealed = params.clone();
    if let Value::Object(fields) = &mut sealed {
        for name in secret_names {
            if let Some(value) = fields.get_mut(name) {
                *value = Value::String(cipher.encrypt(&value.to_string()));
            }
        }
    }
    sealed
}

/// The parameters in clear, for the runtime.
pub fn unseal<'n>(
    params: &Json,
    secret_names: impl IntoIterator<Item = &'n str>,
    cipher: &Cipher,
) -> Result<Json, UnsealError> {
    let mut open = params.clone();
    if let Value::Object(fields) = &mut open {
        for name in secret_names {
            let Some(value) = fields.get_mut(name) else { continue };
            let fail = |reason: String| UnsealError { name: name.to_owned(), reason };
            let sealed = value.as_str().ok_or_else(|| fail("not a sealed value".into()))?;
            let text = cipher.decrypt(sealed).map_err(|e| fail(e.to_string()))?;
            *value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(open)
}

/// The names of the top-level parameters whose values hold one of `secrets` (in a string,
/// or as a number's text), however deep.
pub fn holding<'p>(params: &'p Json, secrets: &[String]) -> Vec<&'p str> {
    fn holds(value: &Value, secrets: &[String]) -> bool {
        match value {
            Value::String(text) => secrets.iter().any(|secret| !secret.is_empty() && text.contains(secret.as_str())),
            Value::Number(number) => secrets.iter().any(|secret| *secret == number.to_string()),
            Value::Array(items) => items.iter().any(|item| holds(item, secrets)),
            Value::Object(fields) => fields.values().any(|field| holds(field, secrets)),
            _ => false,
        }
    }
    match params.as_object() {
        Some(fields) => {
            fields.iter().filter(|(_, value)| holds(value, secrets)).map(|(name, _)| name.as_str()).collect()
        }
        None => Vec::new(),
    }
}

/// The parameters as shown: every secret one replaced by `********`.
pub fn mask<'n>(params: &Json, secret_names: impl IntoIterator<Item = &'n str>) -> Json {
    let mut masked = params.clone();
    if let Value::Object(fields) = &mut masked {
        for name in secret_names {
            if let Some(value) = fields.get_mut(name) {
                *value = Value::String(MASK.into());
            }
        }
    }
    masked
}

/// Replaces known secret values wherever they appear in text an action produced (output
/// lines, results, error messages), so that an action echoing its secrets does not leak
/// them into the store, the API or the live stream.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so that a secret containing another is replaced whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// Values shorter than this are not redacted: masking every "a" or "1" would destroy
    /// output while protecting nothing.
    pub const MIN_LEN: usize = 4;

    /// A redactor for `values` (secret parameters in clear, granted secrets).
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = values.into_iter().filter(|v| v.chars().count() >= Self::MIN_LEN).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// The secret values of clear parameters: strings as they are, other values as JSON text.
    pub fn values_of<'n>(params: &Json, secret_names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
        secret_names
            .into_iter()
            .filter_map(|name| params.get(name))
            .map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect()
    }

    /// Whether there is anything to redact.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret replaced by `********`.
    pub fn text(&self, text: &str) -> String {
        let mut redacted = text.to_owned();
        for secret in &self.secrets {
            if redacted.contains(secret.as_str()) {
                redacted = redacted.replace(secret.as_str(), MASK);
            }
        }
        redacted
    }

    /// `value` with every secret replaced in its strings (keys included).
    pub fn json(&self, value: &Json) -> Json {
        match value {
            Value::String(text) => Value::String(self.text(text)),
            Value::Array(items) => Value::Array(items.iter().map(|item| self.json(item)).collect()),
            Value::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (self.text(k), self.json(v))).collect()),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seals_unseals_and_masks_only_secrets() {
        let cipher = Cipher::new(&[3; 32]);
        let params = json!({"url": "https://x", "token": "hunter2", "creds": {"user": "u", "pass": "p"}});
        let secrets = ["token", "creds", "absent"];
        let sealed = seal(&params, secrets, &cipher);
        assert_eq!(sealed["url"], "https://x");
        let text = sealed.to_string();
        assert!(!text.contains("hunter2") && !text.contains("\"p\""), "{text}");
        assert_eq!(unseal(&sealed, secrets, &cipher).unwrap(), params);
        assert_eq!(mask(&sealed, secrets), json!({"url": "https://x", "token": MASK, "creds": MASK}));
        let wrong = Cipher::new(&[4; 32]);
        assert_eq!(unseal(&sealed, secrets, &wrong).unwrap_err().name, "token");
    }

    #[test]
    fn redacts_secret_values_in_text_and_json() {
        let params = json!({"token": "hunter2-long", "pin": 123456, "user": "ann", "tiny": "ab"});
        let values = Redactor::values_of(&params, ["token", "pin", "tiny"]);
        let redactor = Redactor::new(values.into_iter().chain(["hunter2-long-er".to_string()]));
        assert_eq!(
            redactor.text("token=hunter2-long-er and hunter2-long, pin 123456"),
            "token=******** and ********, pin ********"
        );
        assert_eq!(redactor.text("ab stays: too short to redact"), "ab stays: too short to redact");
        assert_eq!(
            redactor.json(&json!({"echo": ["hunter2-long"], "hunter2-long": 1, "n": 123456})),
            json!({"echo": [MASK], MASK: 1, "n": 123456}),
            "numbers are not text: only strings are redacted"
        );
        assert!(Redactor::default().is_empty());
    }
}
