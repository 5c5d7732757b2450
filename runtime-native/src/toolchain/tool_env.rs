//! The environment of the tools the worker runs itself (`python3 -m venv`, `pip`, `npm`).
//!
//! These run third-party code (package build scripts) on the worker's behalf, so they do
//! not inherit the worker's environment either — it may hold the encryption key or the JWT
//! secret. They get what an installer needs to reach its index: `PATH`, `HOME`, `LANG`,
//! proxy and certificate settings, and the tools' own configuration variables.

use std::ffi::{OsStr, OsString};

/// Passed through exactly (any case of the proxy variables).
const PASSED_THROUGH: &[&str] = &[
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "TMPDIR",
];

/// Passed through by prefix: pip's and npm's own settings (index URL, certificates...).
const PASSED_THROUGH_PREFIXES: &[&str] = &["PIP_", "NPM_CONFIG_"];

fn passes_through(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    PASSED_THROUGH.iter().any(|allowed| name.eq_ignore_ascii_case(allowed))
        || PASSED_THROUGH_PREFIXES
            .iter()
            .any(|prefix| name.len() > prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix))
}

/// The tool environment: `base` (PATH, HOME, LANG) plus the allowed variables of
/// `worker_env`.
pub(crate) fn tool_env(
    base: Vec<(OsString, OsString)>,
    worker_env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    let mut env = base;
    env.extend(worker_env.into_iter().filter(|(name, _)| passes_through(name)));
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_installer_settings_pass_through() {
        let worker = [
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("PIP_INDEX_URL", "https://mirror/simple"),
            ("npm_config_registry", "https://mirror/npm"),
            ("ATTUNE_ENCRYPTION_KEY", "secret"),
            ("ATTUNE_JWT_SECRET", "secret"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("PIP_", "not a setting"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let env = tool_env(vec![("PATH".into(), "/usr/bin".into())], worker);
        let names: Vec<_> = env.iter().map(|(k, _)| k.to_str().unwrap()).collect();
        assert_eq!(names, ["PATH", "HTTPS_PROXY", "PIP_INDEX_URL", "npm_config_registry"]);
    }
}
