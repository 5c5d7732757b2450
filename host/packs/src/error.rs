//! Problems found in a pack, each naming the file it is in.

use serde::Serialize;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, relative to the pack directory (`actions/echo.yaml`); empty when the
    /// problem is about the pack as a whole.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.file, self.message) }
    }
}

/// Why a pack could not be loaded or registered.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The pack's files are invalid; nothing was stored.
    #[error("invalid pack at {dir}: {}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The pack directory.
        dir: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// The store failed.
    #[cfg(feature = "store")]
    #[error(transparent)]
    Store(#[from] attune_store::StoreError),
}

impl PackError {
    /// An invalid-pack error with one problem.
    pub fn single(dir: &std::path::Path, file: impl Into<String>, message: impl Into<String>) -> Self {
        PackError::Invalid {
            dir: dir.display().to_string(),
            problems: vec![Problem { file: file.into(), message: message.into() }],
        }
    }

    /// A file that cannot be read or written.
    pub fn io(path: &std::path::Path, error: std::io::Error) -> Self {
        Self::single(path, "", error.to_string())
    }

    /// The problems, for an invalid pack.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PackError::Invalid { problems, .. } => problems,
            #[cfg(feature = "store")]
            PackError::Store(_) => &[],
        }
    }
}
