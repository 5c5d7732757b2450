//! Running the installers of an environment build, supervised and confined like actions:
//! installers run third-party code (package build scripts). A step sees the system
//! directories, the pack and the tool's installation read-only and the environment being
//! built writable; it has the network (to reach its package index) and the sandbox's
//! largest limits.
//!
//! Their output goes to the execution's output as `log` lines (info for stdout, warn for
//! stderr), so that it is visible live but never mistaken for the action's own stdout. A
//! failing step becomes a [`SetupError::Environment`] naming the pack, the step and the
//! tool's own error lines.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use attune_runtime_api::{CapturedText, OutputLine, OutputSink, Stream};

use crate::error::SetupError;
use crate::process::{self, Ending, ProcessSpec, SupervisionPolicy};
use crate::sandbox::{Confined, Exposure};
use crate::toolchain::{SetupIo, Toolchain};

/// How many of a tool's error lines go into the failure message.
const ERROR_LINES_IN_MESSAGE: usize = 4;

/// Runs the steps of one environment build.
pub struct SetupSteps<'a> {
    pub(crate) pack_ref: &'a str,
    pub(crate) pack_dir: &'a Path,
    /// The environment being built: the only place a step may write.
    pub(crate) build_dir: &'a Path,
    pub(crate) environment: &'static str,
    pub(crate) toolchain: &'a Toolchain,
    pub(crate) io: &'a SetupIo,
}

impl SetupSteps<'_> {
    /// The interpreters and tools, for a build that needs another one (npm).
    pub fn toolchain(&self) -> &Toolchain {
        self.toolchain
    }

    /// Announces something about the build in the execution's output.
    pub fn announce(&self, text: String) {
        self.io.output.emit(OutputLine { stream: Stream::Log, level: Some("info".into()), text });
    }

    /// Runs `program args` in `cwd`; `step` says what it does in a failure message. The
    /// program's own directory is put in front of `PATH`, so that a tool finds the
    /// interpreter installed next to it (npm needs node).
    pub async fn run(&self, step: &str, program: &Path, args: &[&OsStr], cwd: &Path) -> Result<(), SetupError> {
        let mut env = self.toolchain.tool_env().to_vec();
        if let (Some(bin), Some((_, path))) = (program.parent(), env.iter_mut().find(|(name, _)| name == "PATH")) {
            let dirs = std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                *path = joined;
            }
        }
        let spec = ProcessSpec {
            program: program.to_path_buf(),
            args: args.iter().map(|a| a.to_os_string()).collect(),
            env,
            cwd: cwd.to_path_buf(),
            ..ProcessSpec::default()
        };
        let sandbox = self.toolchain.sandbox();
        let handing_over = format!("giving {} to the sandbox's user", self.build_dir.display());
        sandbox.hand_over(self.build_dir).map_err(|e| self.failed(&handing_over, e.to_string()))?;
        let mut read_only = vec![self.pack_dir.to_path_buf()];
        read_only.extend(Toolchain::installations(program));
        let exposure = Exposure { read_only, writable: vec![self.build_dir.to_path_buf()] };
        let config = self.toolchain.config();
        let Confined { spec, report, .. } = sandbox.confine(spec, &exposure, &config.sandbox.limits.for_builds())?;
        let policy = SupervisionPolicy {
            timeout: Some(config.setup_timeout()),
            grace_period: config.grace_period(),
            output_limit: Some(self.io.output_limit),
        };
        let sink = Arc::new(AsLogLines(self.io.output.clone()));
        let done = process::run(spec, &policy, sink, &self.io.cancel)
            .await
            .map_err(|error| self.failed(step, format!("could not start {}: {error}", program.display())))?;
        if let Some(report) = report.read() {
            if let Some(problem) = report.setup_error {
                return Err(self.failed(step, format!("the sandbox could not start it: {problem}")));
            }
            if let Some(limit) = report.limit {
                return Err(self.failed(step, format!("the sandbox stopped it at its {limit} limit")));
            }
        }
        match done.ending {
            Ending::Exited if done.exit_status.is_some_and(|s| s.success()) => Ok(()),
            Ending::Exited => {
                let code = done
                    .exit_status
                    .and_then(|s| s.code())
                    .map_or_else(|| "was killed".to_owned(), |c| format!("exited with code {c}"));
                Err(self.failed(step, format!("{code}: {}", error_lines(&done.stderr, &done.stdout))))
            }
            Ending::Cancelled => Err(SetupError::Cancelled),
            Ending::TimedOut => {
                Err(self.failed(step, format!("did not finish within {} s and was stopped", config.setup_timeout_s)))
            }
            Ending::OutputLimit(stream) => Err(self
                .failed(step, format!("wrote more than {} bytes to {stream:?} and was stopped", self.io.output_limit))),
        }
    }

    /// A failure of `step` with `detail`.
    pub fn failed(&self, step: &str, detail: String) -> SetupError {
        SetupError::Environment {
            pack: self.pack_ref.to_owned(),
            environment: self.environment,
            step: step.to_owned(),
            detail,
        }
    }
}

/// The lines of a tool's output worth putting in a message: those that say "error" (the
/// first few: later ones tend to be pointers to log files), else its last line.
fn error_lines(stderr: &CapturedText, stdout: &CapturedText) -> String {
    let errors: Vec<&str> = stderr
        .text
        .lines()
        .chain(stdout.text.lines())
        .map(str::trim)
        .filter(|line| line.to_ascii_lowercase().contains("error"))
        .filter(|line| !line.contains("complete log of this run"))
        .take(ERROR_LINES_IN_MESSAGE)
        .collect();
    if !errors.is_empty() {
        return errors.join("; ");
    }
    [&stderr.text, &stdout.text]
        .into_iter()
        .find_map(|text| text.lines().rev().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("(no output)")
        .to_owned()
}

/// Relabels a tool's stdout and stderr as log lines.
struct AsLogLines(Arc<dyn OutputSink>);

impl OutputSink for AsLogLines {
    fn emit(&self, line: OutputLine) {
        let level = if line.stream == Stream::Stderr { "warn" } else { "info" };
        self.0.emit(OutputLine { stream: Stream::Log, level: Some(level.into()), text: line.text });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> CapturedText {
        CapturedText { text: s.into(), ..CapturedText::default() }
    }

    #[test]
    fn messages_carry_the_tools_error_lines() {
        let npm = text(
            "npm error code E404\nnpm error 404 Not Found - GET https://registry/x\n\
             npm error A complete log of this run can be found in: /root/.npm/_logs/1.log\n",
        );
        assert_eq!(
            error_lines(&npm, &text("")),
            "npm error code E404; npm error 404 Not Found - GET https://registry/x"
        );
        assert_eq!(error_lines(&text("warning\nlast words\n\n"), &text("")), "last words");
        assert_eq!(error_lines(&text(""), &text("")), "(no output)");
    }
}
