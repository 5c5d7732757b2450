//! The server's own environment: read once at start, then taken out of the process.
//!
//! `ATTUNE_JWT_SECRET`, `ATTUNE_ENCRYPTION_KEY`, `ATTUNE_ADMIN_PASSWORD` and the
//! `ATTUNE__*` settings (a database URL may carry a password) are needed only while the
//! server starts. Left in the environment they would stay readable in
//! `/proc/<pid>/environ` for as long as the server runs, and be inherited by anything it
//! starts; so every `ATTUNE*` variable is captured here and removed.

use std::collections::BTreeMap;

/// The `ATTUNE*` variables the server was started with.
#[derive(Clone, Default)]
pub struct Inherited {
    vars: BTreeMap<String, String>,
}

impl std::fmt::Debug for Inherited {
    // Values are secrets; names are not.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl Inherited {
    /// Takes every `ATTUNE*` variable out of the process environment. Must be called
    /// before any other thread exists.
    #[allow(unsafe_code)]
    pub fn take() -> Self {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(name, _)| name.starts_with("ATTUNE"))
            .collect();
        for name in vars.keys() {
            // SAFETY: called from `main` before the async runtime (or any other thread) is
            // started, so nothing reads or writes the environment concurrently.
            unsafe { std::env::remove_var(name) };
        }
        Self { vars }
    }

    /// The value of `name`, if it was set (and not empty).
    pub fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|value| !value.is_empty()).cloned()
    }

    /// Every variable, for the configuration's `ATTUNE__*` keys.
    pub fn vars(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.vars.iter().map(|(name, value)| (name.clone(), value.clone()))
    }
}
