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
pub fn unseal<'n>(params: &Json, secret_names: impl IntoIterator<Item = &'n str>, cipher: &Cipher) -> Result<Json, UnsealError> {
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
}
