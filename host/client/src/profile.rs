//! Profiles: which server to talk to and with which credential.
//!
//! They live in one YAML file, `$ATTUNE_CLIENT_CONFIG`, else
//! `$XDG_CONFIG_HOME/attune/client.yaml`, else `~/.config/attune/client.yaml`:
//!
//! ```yaml
//! current: default
//! profiles:
//!   default:
//!     url: http://127.0.0.1:8080
//!     login: admin
//!     access_token: ...
//!     refresh_token: ...
//! ```
//!
//! The file holds credentials, so it is written with mode 0600 (into a directory of mode
//! 0700), replaced atomically (a temporary file renamed over it), and refused when others
//! may read it — as ssh refuses a private key anyone can read.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The server URL when neither a flag, the environment nor a profile names one.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// The profile file's contents.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    /// The profile used when none is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One profile.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The server's base URL.
    pub url: String,
    /// Who logged in (for display).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// An API key, used as the bearer credential when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// The access token from the last login or refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Obtains a new access token once it expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The profile file's location.
pub fn path() -> Result<PathBuf, Failure> {
    if let Some(path) = std::env::var_os("ATTUNE_CLIENT_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".config"),
            None => return Err(Failure::Local("no HOME: set ATTUNE_CLIENT_CONFIG to the profile file".into())),
        },
    };
    Ok(base.join("attune").join("client.yaml"))
}

impl Profiles {
    /// Reads the file at `path`; a missing file is no profiles.
    pub fn load(path: &Path) -> Result<Self, Failure> {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(error) => return Err(Failure::file(path, error)),
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Failure::file(
                path,
                format!("holds credentials but others may read it (mode {mode:o}); run: chmod 600 {}", path.display()),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Failure::file(path, e))?;
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_yaml_ng::from_str(&text).map_err(|e| Failure::file(path, e))
    }

    /// Writes the file at `path` (mode 0600), replacing it atomically.
    pub fn save(&self, path: &Path) -> Result<(), Failure> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| Failure::file(dir, e))?;
        }
        let text = serde_yaml_ng::to_string(self).map_err(|e| Failure::file(path, e))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("client.yaml");
        let temporary = dir.join(format!(".{name}.{}", std::process::id()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if let Err(error) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(Failure::file(path, error));
        }
        Ok(())
    }

    /// The name of the profile to use: the one asked for, else the current one.
    pub fn selected(&self, asked: Option<&str>) -> String {
        asked.map(str::to_owned).or_else(|| self.current.clone()).unwrap_or_else(|| DEFAULT_PROFILE.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_profiles_are_private_and_read_back() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("nested").join("client.yaml");
        let mut profiles = Profiles { current: Some("prod".into()), ..Profiles::default() };
        profiles.profiles.insert(
            "prod".into(),
            Profile { url: "https://attune.example".into(), api_key: Some("k".into()), ..Profile::default() },
        );
        profiles.save(&path).expect("saved");
        let mode = std::fs::metadata(&path).expect("written").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(path.parent().expect("a parent")).expect("made").permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        assert_eq!(Profiles::load(&path).expect("read back"), profiles);
        assert_eq!(profiles.selected(None), "prod");
        assert_eq!(profiles.selected(Some("dev")), "dev");
    }

    #[test]
    fn a_file_others_may_read_is_refused() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("client.yaml");
        std::fs::write(&path, "profiles: {}\n").expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = Profiles::load(&path).expect_err("refused").to_string();
        assert!(error.contains("chmod 600"), "{error}");
    }

    #[test]
    fn a_missing_file_is_no_profiles_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().expect("a directory");
        assert_eq!(Profiles::load(&dir.path().join("none.yaml")).expect("empty"), Profiles::default());
        let path = dir.path().join("client.yaml");
        std::fs::write(&path, "profiles:\n  a:\n    url: x\n    password: secret\n").expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let error = Profiles::load(&path).expect_err("refused").to_string();
        assert!(error.contains("client.yaml") && error.contains("password"), "{error}");
    }
}
