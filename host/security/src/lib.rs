//! Security primitives shared by every Attune role.
//!
//! - [`password`]: Argon2id hashing and verification (slow on purpose: call from a blocking
//!   thread).
//! - [`tokens`]: signed JWT access and refresh tokens (HS256).
//! - [`api_keys`]: API keys for service accounts, stored as their SHA-256 digest.
//! - [`secrets`]: the JWT secret and the encryption key, from the environment or generated
//!   into files of mode 0600 in the data directory on first start.
//! - [`cipher`]: AES-256-GCM with a random nonce per value, for secret parameters and
//!   encrypted datastore keys.

pub mod api_keys;
pub mod cipher;
pub mod password;
pub mod secrets;
pub mod tokens;

pub use cipher::{Cipher, CipherError};
pub use secrets::{SecretsError, ServerSecrets};
pub use tokens::{Claims, TokenError, TokenIssuer, TokenKind, TokenPair};
