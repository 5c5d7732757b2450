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

pub use attune_templates::holding;

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
///
/// Each secret is looked for in the forms an action would print it in without meaning to
/// hide it: as it is, JSON-escaped, base64 (standard and URL-safe, with and without
/// padding), reversed, and line by line when it spans several lines (a PEM key). Numbers
/// in JSON are masked when their text is a secret. Lines are checked against each other
/// too ([`Redactor::spanning`]), so that a secret printed in two pieces is caught.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first, so that one containing another is
    /// replaced whole.
    forms: Vec<String>,
    /// The secrets themselves.
    secrets: Vec<String>,
}

impl Redactor {
    /// Values shorter than this are not redacted: masking every "a" or "1" would destroy
    /// output while protecting nothing.
    pub const MIN_LEN: usize = 4;

    /// A redactor for `values` (secret parameters in clear, granted secrets, tokens).
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        let long_enough = |v: &str| v.chars().count() >= Self::MIN_LEN;
        let mut secrets: Vec<String> = values.into_iter().filter(|v| long_enough(v)).collect();
        secrets.sort();
        secrets.dedup();
        let mut forms = Vec::new();
        for secret in &secrets {
            forms.push(secret.clone());
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            forms.push(escaped[1..escaped.len().saturating_sub(1).max(1)].to_owned());
            for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
                forms.push(engine.encode(secret));
            }
            forms.push(secret.chars().rev().collect());
            if secret.contains('\n') {
                forms.extend(secret.lines().map(str::trim).filter(|line| long_enough(line)).map(str::to_owned));
            }
        }
        forms.retain(|form| long_enough(form));
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        forms.dedup();
        Self { forms, secrets }
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
        self.forms.is_empty()
    }

    /// `text` with every form of every secret replaced by `********`.
    pub fn text(&self, text: &str) -> String {
        let mut redacted = text.to_owned();
        for form in &self.forms {
            if redacted.contains(form.as_str()) {
                redacted = redacted.replace(form.as_str(), MASK);
            }
        }
        redacted
    }

    /// `value` with every secret replaced in its strings (keys included), and numbers
    /// whose text is a secret masked.
    pub fn json(&self, value: &Json) -> Json {
        match value {
            Value::String(text) => Value::String(self.text(text)),
            Value::Number(number) if self.secrets.iter().any(|s| *s == number.to_string()) => {
                Value::String(MASK.into())
            }
            Value::Array(items) => Value::Array(items.iter().map(|item| self.json(item)).collect()),
            Value::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (self.text(k), self.json(v))).collect()),
            other => other.clone(),
        }
    }

    /// Where a secret runs from the end of `before` into the start of `after` (one printed
    /// in two pieces): how many bytes to mask at the end of `before` and at the start of
    /// `after`; `(0, 0)` when none does.
    pub fn spanning(&self, before: &str, after: &str) -> (usize, usize) {
        let (mut tail, mut head) = (0, 0);
        for secret in &self.secrets {
            for (cut, _) in secret.char_indices().skip(1) {
                let (start, end) = secret.split_at(cut);
                if before.ends_with(start) && after.starts_with(end) {
                    tail = tail.max(start.len());
                    head = head.max(end.len());
                }
            }
        }
        (tail, head)
    }

    /// Whether `line` ends with the first [`Redactor::MIN_LEN`] characters or more of a
    /// secret (not the whole of it): the next line may hold the rest.
    pub fn may_continue(&self, line: &str) -> bool {
        self.secrets
            .iter()
            .any(|secret| secret.char_indices().skip(Self::MIN_LEN).any(|(cut, _)| line.ends_with(&secret[..cut])))
    }
}

/// Puts [`MASK`] over the last `tail` bytes of `before` and the first `head` bytes of
/// `after`, as [`Redactor::spanning`] found them.
pub fn mask_spanning(before: &str, after: &str, (tail, head): (usize, usize)) -> (String, String) {
    let before = match tail {
        0 => before.to_owned(),
        n => format!("{}{MASK}", &before[..before.len() - n]),
    };
    let after = match head {
        0 => after.to_owned(),
        n => format!("{MASK}{}", &after[n..]),
    };
    (before, after)
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
            redactor.json(&json!({"echo": ["hunter2-long"], "hunter2-long": 1, "n": 123456, "m": 1234567})),
            json!({"echo": [MASK], MASK: 1, "n": MASK, "m": 1234567}),
            "a number whose text is a secret is masked"
        );
        assert!(Redactor::default().is_empty());
    }

    #[test]
    fn secrets_are_found_in_the_forms_actions_print_them_in() {
        use base64::Engine;
        let secret = "p@ss\"w0rd/+?x";
        let pem = "-----BEGIN KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\nAT8wggE7AgEAAkEAq7BFUpkGp3+XQw==\n-----END KEY-----";
        let redactor = Redactor::new([secret.to_owned(), pem.to_owned()]);
        let engine = base64::engine::general_purpose::STANDARD;
        for printed in [
            secret.to_owned(),
            serde_json::to_string(secret).unwrap(),
            engine.encode(secret),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
            secret.chars().rev().collect(),
        ] {
            assert!(!redactor.text(&format!("leak: {printed}")).contains(&printed), "{printed}");
        }
        for line in pem.lines().skip(1).take(2) {
            assert_eq!(redactor.text(line), MASK, "each line of a multi-line secret");
        }
    }

    #[test]
    fn a_secret_in_two_pieces_is_found_across_lines() {
        let redactor = Redactor::new(["correct-horse-battery".to_owned()]);
        assert!(redactor.may_continue("token: correct-ho"));
        assert!(!redactor.may_continue("token: cor"), "too little of it to hold the line back for");
        assert!(!redactor.may_continue("an ordinary line"));
        let found = redactor.spanning("token: correct-ho", "rse-battery and more");
        assert_eq!(found, ("correct-ho".len(), "rse-battery".len()));
        let (before, after) = mask_spanning("token: correct-ho", "rse-battery and more", found);
        assert_eq!((before.as_str(), after.as_str()), ("token: ********", "******** and more"));
        assert_eq!(redactor.spanning("cor", "rect-horse-battery"), (3, "rect-horse-battery".len()));
        assert_eq!(redactor.spanning("nothing", "here"), (0, 0));
    }
}
