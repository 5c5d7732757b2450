//! Shell actions, run by bash.
//!
//! The `PARAM_*`/`SECRET_*` prelude travels on stdin, ahead of the input document, in a
//! frame bash reads before it sources the script:
//!
//! ```text
//! stdin:  "<prelude length, 15 columns>\n" <prelude> <input document>
//! argv:   bash --noprofile --norc -c '<LOADER>' /path/to/script.sh
//! ```
//!
//! `read -N` takes exactly the prelude (bash reads it in blocks, never past the count), so
//! the script's stdin starts at the document. The prelude is ASCII (see `shell_prelude`),
//! which makes its length in characters — what `read -N` counts — its length in bytes
//! whatever the locale. Sourcing the script (rather than running it as a new process) is
//! what keeps the variables unexported yet visible to it; its `#!` line is therefore not
//! used: shell actions are bash scripts.
//!
//! Why not a second pipe on file descriptor 3: handing a child an extra descriptor needs a
//! `pre_exec` hook, which forces fork instead of vfork/posix_spawn and costs more than a
//! trivial script takes to run.

use std::path::Path;

use async_trait::async_trait;

use super::shell_prelude::shell_prelude;
use super::{Launch, ScriptLanguage, ScriptTarget};
use crate::error::SetupError;
use crate::input::ActionInput;
use crate::toolchain::{SetupIo, Toolchain};

/// What bash runs: read the frame, define the variables, forget the frame, then source the
/// script, whose path is `$0`.
const LOADER: &str = concat!(
    r#"IFS= read -r -N 16 __attune_length && IFS= read -r -N "$((__attune_length))" __attune_prelude; "#,
    r#"eval "$__attune_prelude"; unset __attune_length __attune_prelude; . "$0""#,
);

/// `runner_type: shell`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shell;

impl Shell {
    /// How bash is started for `script`.
    pub fn launch(bash: &Path, script: &Path) -> Launch {
        Launch {
            program: bash.to_path_buf(),
            args: vec!["--noprofile".into(), "--norc".into(), "-c".into(), LOADER.into(), script.into()],
            path_prefix: Vec::new(),
            env: Vec::new(),
            visible: Toolchain::installations(bash),
        }
    }

    /// The framed prelude: its length on a 16-byte line, then the prelude itself.
    pub fn framed_prelude(prelude: &str) -> Vec<u8> {
        debug_assert!(prelude.is_ascii(), "read -N counts characters, not bytes");
        let mut frame = format!("{:>15}\n", prelude.len()).into_bytes();
        frame.extend_from_slice(prelude.as_bytes());
        frame
    }
}

#[async_trait]
impl ScriptLanguage for Shell {
    fn runner_type(&self) -> &'static str {
        "shell"
    }

    async fn prepare(
        &self,
        toolchain: &Toolchain,
        target: &ScriptTarget<'_>,
        _io: &SetupIo,
    ) -> Result<Launch, SetupError> {
        Ok(Self::launch(&toolchain.bash().await?, target.entry_point))
    }

    fn stdin_preamble(&self, input: &ActionInput<'_>) -> Option<Vec<u8>> {
        Some(Self::framed_prelude(&shell_prelude(input.parameters, input.secrets, input.api_token)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_starts_with_a_fixed_width_length_line() {
        let frame = Shell::framed_prelude("PARAM_A=$'x'\n");
        assert_eq!(frame.len(), 16 + 13);
        assert_eq!(&frame[..16], b"             13\n");
    }
}
