//! Why an action could not be started. Each of these ends the execution `failed` with kind
//! `setup_failed` (or `cancelled`/`timeout` when setup was interrupted), with a message that
//! names what to fix: the interpreter, the pack, the tool and its error.

use std::path::PathBuf;

/// An action could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The configured interpreter or tool does not exist.
    #[error(
        "{tool} interpreter `{configured}` was not found{searched}; install it or set \
         interpreters.{tool} in the worker's configuration",
        configured = configured.display(),
        searched = if configured.components().count() > 1 { String::new() }
                   else { " on the worker's PATH".to_owned() }
    )]
    InterpreterNotFound {
        /// Configuration key of the tool (`bash`, `python3`, `node`, `npm`).
        tool: &'static str,
        /// What the configuration names.
        configured: PathBuf,
    },

    /// The interpreter exists but could not be asked where it lives.
    #[error("{tool} interpreter `{path}` is not usable: {reason}", path = path.display())]
    InterpreterUnusable {
        /// Configuration key of the tool.
        tool: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// The pack ref cannot name a directory safely.
    #[error("pack ref `{0}` is not a valid directory name for its environment")]
    InvalidPackRef(String),

    /// The action's entry point is not a file.
    #[error("entry point {} does not exist", .0.display())]
    EntryPointMissing(PathBuf),

    /// Building the pack's environment failed.
    #[error("could not build the {environment} of pack `{pack}`: {step}: {detail}")]
    Environment {
        /// The pack.
        pack: String,
        /// What was being built (`python virtualenv`, `node_modules`).
        environment: &'static str,
        /// The step that failed, as a command line or file operation.
        step: String,
        /// The tool's own error (its last line of output), or the OS error.
        detail: String,
    },

    /// Setup was cancelled by the user before the action started.
    #[error("cancelled while preparing the action's environment")]
    Cancelled,

    /// The sandbox cannot confine the action.
    #[error(transparent)]
    Sandbox(#[from] crate::sandbox::SandboxError),

    /// The action process could not be started.
    #[error("could not start {}: {source}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_fix() {
        let bare = SetupError::InterpreterNotFound { tool: "python3", configured: "python3.99".into() };
        assert_eq!(
            bare.to_string(),
            "python3 interpreter `python3.99` was not found on the worker's PATH; install it \
             or set interpreters.python3 in the worker's configuration"
        );
        let absolute = SetupError::InterpreterNotFound { tool: "node", configured: "/opt/node/bin/node".into() };
        assert!(absolute.to_string().starts_with("node interpreter `/opt/node/bin/node` was not found;"));
    }
}
