//! Content digests: what names a component in the caches.

use std::fmt;
use std::hash::Hasher;

use sha2::{Digest, Sha256};

/// The SHA-256 of a component's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentDigest([u8; 32]);

impl ComponentDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// A digest computed elsewhere.
    pub fn from_raw(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for ComponentDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ComponentDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{self}")
    }
}

/// A [`Hasher`] feeding SHA-256, so that a `Hash` value (wasmtime's engine compatibility
/// hash) gives the same name in every process, unlike `DefaultHasher` whose output is
/// allowed to change between builds.
#[derive(Default)]
pub(crate) struct StableHasher(Sha256);

impl StableHasher {
    /// Hex of the first 16 bytes of the digest: short enough for a directory name.
    pub(crate) fn finish_hex(self) -> String {
        hex::encode(&self.0.finalize()[..16])
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            ComponentDigest::of(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn stable_hasher_is_deterministic_and_sensitive() {
        let hash = |value: &str| {
            let mut hasher = StableHasher::default();
            value.hash(&mut hasher);
            hasher.finish_hex()
        };
        assert_eq!(hash("engine"), hash("engine"));
        assert_ne!(hash("engine"), hash("engine2"));
        assert_eq!(hash("engine").len(), 32);
    }
}
