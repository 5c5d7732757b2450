//! What differs between shell, Python and Node.js: how a script is started.
//!
//! A [`ScriptLanguage`] resolves its interpreter, builds the pack's environment when the
//! pack asks for one, and says how to start a script ([`Launch`]). The shell language also
//! puts the `PARAM_*`/`SECRET_*` prelude on stdin ahead of the input document. Nothing else
//! in the crate knows which language it is running.

mod node;
mod python;
mod shell;
mod shell_prelude;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::error::SetupError;
use crate::input::ActionInput;
use crate::process::ProcessSpec;
use crate::sandbox::Exposure;
use crate::toolchain::{SetupIo, Toolchain};

pub use node::Node;
pub use python::Python;
pub use shell::Shell;
pub use shell_prelude::{shell_prelude, shell_variable_name};

/// The script to start and the pack it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct ScriptTarget<'a> {
    /// The pack's ref (names its environments directory).
    pub pack_ref: &'a str,
    /// The pack's directory (working directory; where `requirements.txt` and
    /// `package.json` are looked for).
    pub pack_dir: &'a Path,
    /// The script, as an absolute path.
    pub entry_point: &'a Path,
}

/// How to start a script: the program, its arguments, and what its environment needs
/// beyond `PATH`, `HOME` and `LANG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The interpreter to run.
    pub program: PathBuf,
    /// Its arguments, the script included.
    pub args: Vec<OsString>,
    /// Directories put in front of `PATH` (the environment's executables).
    pub path_prefix: Vec<PathBuf>,
    /// Further variables (`NODE_PATH`). Never anything secret.
    pub env: Vec<(OsString, OsString)>,
    /// What the process must see read-only besides the system directories and its pack:
    /// the interpreter's installation and the pack's environment.
    pub visible: Vec<PathBuf>,
}

impl Launch {
    /// The process to spawn: this launch in `cwd`, with the toolchain's base environment,
    /// `extra_env` (the `ATTUNE_*` variables), and `stdin`.
    pub fn into_spec(
        self,
        toolchain: &Toolchain,
        extra_env: Vec<(OsString, OsString)>,
        cwd: &Path,
        stdin: Vec<u8>,
    ) -> ProcessSpec {
        let mut env = toolchain.child_env(&self.path_prefix);
        env.extend(self.env);
        env.extend(extra_env);
        ProcessSpec { program: self.program, args: self.args, env, cwd: cwd.to_path_buf(), stdin }
    }

    /// What a confined process of this launch sees beyond the system directories: the
    /// pack in `pack_dir` and [`Launch::visible`], read-only.
    pub fn exposure(&self, pack_dir: &Path) -> Exposure {
        let read_only = std::iter::once(pack_dir.to_path_buf()).chain(self.visible.iter().cloned()).collect();
        Exposure { read_only, writable: Vec::new() }
    }
}

/// One scripting language.
#[async_trait]
pub trait ScriptLanguage: Send + Sync {
    /// The `runner_type` of actions in this language.
    fn runner_type(&self) -> &'static str;

    /// Resolves the interpreter and makes the pack's environment current; tool output of
    /// an environment build goes to `io`.
    async fn prepare(
        &self,
        toolchain: &Toolchain,
        target: &ScriptTarget<'_>,
        io: &SetupIo,
    ) -> Result<Launch, SetupError>;

    /// Bytes written to stdin ahead of the input document, consumed by the interpreter
    /// before the script starts (the script itself reads only the document). None by
    /// default.
    fn stdin_preamble(&self, _input: &ActionInput<'_>) -> Option<Vec<u8>> {
        None
    }
}
