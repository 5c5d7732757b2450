//! API keys: long random secrets for service accounts, stored only as a digest.
//!
//! A key is `atk_` followed by 64 hex digits (32 random bytes). It has far more entropy than
//! anything a dictionary attack could reach, so a plain SHA-256 digest is enough to store it
//! safely and, unlike a password hash, lets the server find the key by its digest in one
//! indexed lookup.

use sha2::{Digest, Sha256};

/// What every API key starts with: tells keys from JWTs in an `Authorization` header.
pub const API_KEY_PREFIX: &str = "atk_";

/// How many leading characters of a key are kept to tell keys apart (`atk_` and 8 digits).
const SHOWN_PREFIX_LEN: usize = API_KEY_PREFIX.len() + 8;

/// A newly generated key: shown to its owner once, then only its digest and prefix remain.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedApiKey {
    /// The key itself.
    pub key: String,
    /// Its first characters, for display.
    pub prefix: String,
    /// Hex SHA-256 digest of the key: what is stored.
    pub digest: String,
}

impl std::fmt::Debug for GeneratedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedApiKey").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

/// A fresh random key.
pub fn generate_api_key() -> GeneratedApiKey {
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::rngs::OsRng, &mut bytes);
    let key = format!("{API_KEY_PREFIX}{}", hex::encode(bytes));
    GeneratedApiKey { prefix: key[..SHOWN_PREFIX_LEN].to_owned(), digest: api_key_digest(&key), key }
}

/// The digest stored for `key`.
pub fn api_key_digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// True when a bearer credential is an API key rather than a token.
pub fn is_api_key(credential: &str) -> bool {
    credential.starts_with(API_KEY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_stored_as_their_digest() {
        let generated = generate_api_key();
        assert!(is_api_key(&generated.key));
        assert_eq!(generated.key.len(), 4 + 64);
        assert!(generated.key[4..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(generated.key.starts_with(&generated.prefix));
        assert_eq!(generated.prefix.len(), 12);
        assert_eq!(generated.digest, api_key_digest(&generated.key));
        assert!(!generated.digest.contains(&generated.key[4..]));
        assert_ne!(generated.key, generate_api_key().key);
        assert!(!format!("{generated:?}").contains(&generated.key));
        assert!(!is_api_key("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
