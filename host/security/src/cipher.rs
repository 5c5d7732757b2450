//! AES-256-GCM encryption of values at rest.
//!
//! Each value gets a random 96-bit nonce; the stored form is `v1:` followed by the base64 of
//! nonce and ciphertext (with its authentication tag), so that tampering is detected and the
//! format can change later without ambiguity.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Why a value could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// Not in the stored format.
    #[error("not an encrypted value")]
    Malformed,
    /// Wrong key, or the value was altered.
    #[error("decryption failed (wrong key or altered value)")]
    Rejected,
}

/// Encrypts and decrypts with one 256-bit key.
#[derive(Clone)]
pub struct Cipher {
    cipher: Aes256Gcm,
    fingerprint: String,
    /// Keys for other purposes are derived from this one.
    derivation: [u8; 32],
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cipher").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

impl Cipher {
    /// A cipher for `key`.
    pub fn new(key: &[u8; 32]) -> Self {
        let fingerprint = hex::encode(&Sha256::digest(key)[..8]);
        let derivation = *key;
        Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)), fingerprint, derivation }
    }

    /// A key for `purpose` (such as sealing caches), derived from the encryption key with
    /// HMAC-SHA256: every process of a deployment derives the same one, and knowing it
    /// reveals nothing of the encryption key or of keys for other purposes.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.derivation).expect("HMAC takes any key length");
        mac.update(b"attune key derivation v1\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A short, non-reversible identifier of the key (stored beside encrypted values to tell
    /// which key they need).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Encrypts `plaintext` with a fresh random nonce.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}", STANDARD.encode(sealed))
    }

    /// Decrypts a value produced by [`Cipher::encrypt`].
    pub fn decrypt(&self, sealed: &str) -> Result<String, CipherError> {
        let encoded = sealed.strip_prefix(PREFIX).ok_or(CipherError::Malformed)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| CipherError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(CipherError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| CipherError::Rejected)?;
        String::from_utf8(plaintext).map_err(|_| CipherError::Rejected)
    }

    /// True when `value` looks like an encrypted value.
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_per_purpose_and_key() {
        let cipher = Cipher::new(&[7; 32]);
        let cache = cipher.derive_key("component cache");
        assert_eq!(cache, Cipher::new(&[7; 32]).derive_key("component cache"));
        assert_ne!(cache, cipher.derive_key("something else"));
        assert_ne!(cache, Cipher::new(&[8; 32]).derive_key("component cache"));
        assert_ne!(cache, [7; 32]);
    }

    #[test]
    fn round_trips_with_a_fresh_nonce_each_time() {
        let cipher = Cipher::new(&[7; 32]);
        let a = cipher.encrypt("hunter2");
        let b = cipher.encrypt("hunter2");
        assert_ne!(a, b, "random nonce per value");
        assert!(!a.contains("hunter2"));
        assert_eq!(cipher.decrypt(&a).unwrap(), "hunter2");
        assert!(Cipher::is_sealed(&a));
    }

    #[test]
    fn detects_wrong_keys_and_tampering() {
        let sealed = Cipher::new(&[1; 32]).encrypt("secret");
        assert_eq!(Cipher::new(&[2; 32]).decrypt(&sealed), Err(CipherError::Rejected));
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(Cipher::new(&[1; 32]).decrypt(&String::from_utf8(tampered).unwrap()), Err(CipherError::Rejected));
        assert_eq!(Cipher::new(&[1; 32]).decrypt("plain"), Err(CipherError::Malformed));
        assert_ne!(Cipher::new(&[1; 32]).fingerprint(), Cipher::new(&[2; 32]).fingerprint());
    }
}
