//! Sealing cached artifacts: a trailer holding an HMAC-SHA256 of the bytes, keyed by a
//! secret of the server ([`CacheKey`]).
//!
//! A compiled component is mapped as native code when it is loaded, and a built Python
//! component is run as a pack's action: whoever could plant or alter a cache file would
//! run code as the server, or as another pack's action. A digest would only catch damage;
//! the MAC also catches a forgery, since computing it takes the key, which never leaves the
//! server's memory. A file whose trailer does not verify is discarded and rebuilt, never
//! loaded.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Ends a sealed file (format version 2: an HMAC rather than a bare digest).
const MAGIC: &[u8; 8] = b"ATNSEAL2";
const TRAILER_LEN: usize = 32 + MAGIC.len();

/// The secret cached artifacts are sealed with.
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey([u8; 32]);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(..)")
    }
}

impl CacheKey {
    /// A key of this process only: caches written with it are not reused after a restart.
    pub fn random() -> Self {
        Self(rand::random())
    }

    /// A key derived from one of the server's secrets (every restart finds its cache
    /// again), distinct from anything else derived from that secret.
    pub fn derived_from(secret: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(b"attune component cache key v1");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, bytes: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(bytes);
        mac
    }

    /// Appends the trailer sealing `bytes`.
    pub(crate) fn seal(&self, bytes: &mut Vec<u8>) {
        let tag = self.mac(bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        bytes.extend_from_slice(MAGIC);
    }

    /// The sealed content of `file`, when its trailer is present and verifies.
    pub(crate) fn open<'a>(&self, file: &'a [u8]) -> Option<&'a [u8]> {
        let split = file.len().checked_sub(TRAILER_LEN)?;
        let (content, trailer) = file.split_at(split);
        let (tag, magic) = trailer.split_at(32);
        // verify_slice compares in constant time.
        (magic == MAGIC && self.mac(content).verify_slice(tag).is_ok()).then_some(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_sealed_with_the_same_key_open() {
        let key = CacheKey::derived_from(b"server secret");
        let mut file = b"artifact".to_vec();
        key.seal(&mut file);
        assert_eq!(key.open(&file), Some(&b"artifact"[..]));
        assert_eq!(CacheKey::derived_from(b"server secret").open(&file), Some(&b"artifact"[..]), "stable");

        let mut altered = file.clone();
        altered[0] = b'A';
        assert_eq!(key.open(&altered), None, "altered content");
        assert_eq!(CacheKey::derived_from(b"another secret").open(&file), None, "another key");
        assert_eq!(CacheKey::random().open(&file), None);
        assert_eq!(key.open(&file[..file.len() - 1]), None, "truncated");
        assert_eq!(key.open(b"short"), None);

        // A planted file with a plain digest trailer, as an attacker without the key could
        // compute, does not open.
        use sha2::Digest;
        let mut forged = b"evil".to_vec();
        forged.extend_from_slice(&Sha256::digest(b"evil"));
        forged.extend_from_slice(MAGIC);
        assert_eq!(key.open(&forged), None);
    }
}
