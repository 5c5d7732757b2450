//! The server's own secrets: the JWT signing secret and the encryption key.
//!
//! Every process of a deployment must share them. They come from `ATTUNE_JWT_SECRET` and
//! `ATTUNE_ENCRYPTION_KEY` (base64 of 32 bytes, or 64 hex digits) when set; otherwise from
//! the files `jwt_secret` and `encryption_key` in the data directory, generated with mode
//! 0600 on first start. Never from committed configuration.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Environment variable holding the JWT secret.
pub const JWT_SECRET_VAR: &str = "ATTUNE_JWT_SECRET";
/// Environment variable holding the encryption key.
pub const ENCRYPTION_KEY_VAR: &str = "ATTUNE_ENCRYPTION_KEY";

/// Why the secrets could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A secret file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A secret has the wrong form.
    #[error("{origin}: {message}")]
    Invalid {
        /// Where it came from (variable or file).
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The loaded secrets.
#[derive(Clone)]
pub struct ServerSecrets {
    /// Signs tokens.
    pub jwt_secret: Vec<u8>,
    /// Encrypts secret values.
    pub encryption_key: [u8; 32],
}

impl std::fmt::Debug for ServerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecrets(..)")
    }
}

impl ServerSecrets {
    /// Reads the secrets from `env` (name → value lookups) or the data directory, generating
    /// missing files.
    pub fn load_or_generate(data_dir: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Self, SecretsError> {
        let jwt_secret = match env(JWT_SECRET_VAR) {
            Some(value) if value.len() >= 32 => value.into_bytes(),
            Some(_) => {
                return Err(SecretsError::Invalid {
                    origin: JWT_SECRET_VAR.into(),
                    message: "must be at least 32 characters".into(),
                });
            }
            None => read_or_create(&data_dir.join("jwt_secret"))?.to_vec(),
        };
        let encryption_key = match env(ENCRYPTION_KEY_VAR) {
            Some(value) => decode_key(&value)
                .map_err(|message| SecretsError::Invalid { origin: ENCRYPTION_KEY_VAR.into(), message })?,
            None => read_or_create(&data_dir.join("encryption_key"))?,
        };
        Ok(Self { jwt_secret, encryption_key })
    }
}

/// 32 bytes from base64 or hex.
fn decode_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).map_err(|e| e.to_string())?
    } else {
        STANDARD.decode(text).map_err(|_| "expected base64 of 32 bytes or 64 hex digits".to_string())?
    };
    bytes.try_into().map_err(|b: Vec<u8>| format!("expected 32 bytes, got {}", b.len()))
}

/// Reads a 32-byte secret file, or creates it (mode 0600) with random bytes.
fn read_or_create(path: &Path) -> Result<[u8; 32], SecretsError> {
    let io = |source| SecretsError::Io { path: path.to_path_buf(), source };
    if path.exists() {
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretsError::Invalid {
                origin: path.display().to_string(),
                message: format!("is readable by others (mode {mode:o}); run chmod 600 on it"),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        return decode_key(&text)
            .map_err(|message| SecretsError::Invalid { origin: path.display().to_string(), message });
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let secret: [u8; 32] = rand::random();
    // Write to a private temporary file, then rename: a concurrent starter either sees no
    // file or a complete one.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(io)?;
    file.write_all(STANDARD.encode(secret).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    if let Err(source) = std::fs::hard_link(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            return read_or_create(path);
        }
        return Err(io(source));
    }
    std::fs::remove_file(&tmp).map_err(io)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_private_files_once_and_reuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let first = ServerSecrets::load_or_generate(dir.path(), |_| None).unwrap();
        for name in ["jwt_secret", "encryption_key"] {
            let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}");
        }
        let second = ServerSecrets::load_or_generate(dir.path(), |_| None).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_eq!(first.encryption_key, second.encryption_key);
        assert_ne!(first.jwt_secret, first.encryption_key.to_vec());
    }

    #[test]
    fn environment_wins_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let env = |name: &str| match name {
            JWT_SECRET_VAR => Some("x".repeat(40)),
            ENCRYPTION_KEY_VAR => Some("ab".repeat(32)),
            _ => None,
        };
        let secrets = ServerSecrets::load_or_generate(dir.path(), env).unwrap();
        assert_eq!(secrets.jwt_secret, "x".repeat(40).into_bytes());
        assert_eq!(secrets.encryption_key, [0xab; 32]);
        assert!(!dir.path().join("jwt_secret").exists(), "nothing generated when the env provides");

        let short = |name: &str| (name == JWT_SECRET_VAR).then(|| "short".to_string());
        assert!(ServerSecrets::load_or_generate(dir.path(), short).is_err());
        let bad_key = |name: &str| (name == ENCRYPTION_KEY_VAR).then(|| "abc".to_string());
        assert!(ServerSecrets::load_or_generate(dir.path(), bad_key).is_err());
    }

    #[test]
    fn refuses_secret_files_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        ServerSecrets::load_or_generate(dir.path(), |_| None).unwrap();
        let path = dir.path().join("encryption_key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = ServerSecrets::load_or_generate(dir.path(), |_| None).unwrap_err();
        assert!(error.to_string().contains("chmod 600"), "{error}");
    }
}
