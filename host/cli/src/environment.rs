//! The server's own environment: read once at start, then taken out of the process.
//!
//! `ATTUNE_JWT_SECRET`, `ATTUNE_ENCRYPTION_KEY`, `ATTUNE_ADMIN_PASSWORD` and the
//! `ATTUNE__*` settings (a database URL may carry a password) are needed only while the
//! server starts. Left in the environment they would stay readable in
//! `/proc/<pid>/environ` for as long as the server runs, and be inherited by anything it
//! starts; so every `ATTUNE*` variable is captured here and removed.

use std::collections::BTreeMap;

#[allow(unsafe_code)]
unsafe extern "C" {
    /// The process environment (POSIX).
    static environ: *const *mut std::ffi::c_char;
}

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
    /// Takes every `ATTUNE*` variable out of the process environment, and wipes it from
    /// the memory `/proc/<pid>/environ` shows (the block the kernel set up at `exec`,
    /// which removing a variable does not touch). Must be called before any other thread
    /// exists.
    #[allow(unsafe_code)]
    pub fn take() -> Self {
        // SAFETY: called from `main` before the async runtime (or any other thread) is
        // started, so nothing reads or writes the environment concurrently. `environ` is a
        // NULL-terminated array of pointers to NUL-terminated strings, as POSIX defines it.
        // The strings wiped are no longer in `environ` (removed first) and nothing else
        // refers to them: their names and values were copied out.
        unsafe {
            let mut found = Vec::new();
            let mut entry = environ;
            while !(*entry).is_null() {
                let text = std::ffi::CStr::from_ptr(*entry);
                if text.to_bytes().starts_with(b"ATTUNE") {
                    found.push((*entry, text.to_bytes().len()));
                }
                entry = entry.add(1);
            }
            let mut vars = BTreeMap::new();
            for &(text, len) in &found {
                let bytes = std::slice::from_raw_parts(text.cast::<u8>(), len);
                let (name, value) = bytes.split_at(bytes.iter().position(|&b| b == b'=').unwrap_or(len));
                let name = String::from_utf8_lossy(name).into_owned();
                std::env::remove_var(&name);
                vars.insert(name, String::from_utf8_lossy(value.get(1..).unwrap_or_default()).into_owned());
            }
            for (text, len) in found {
                std::ptr::write_bytes(text, 0, len);
            }
            Self { vars }
        }
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
