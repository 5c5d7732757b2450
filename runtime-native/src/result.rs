//! How a supervised action becomes an [`Outcome`].
//!
//! The order of the checks is the order of precedence: a stopped action (cancelled, timed
//! out) reports why it was stopped; then what the sandbox reports (it could not start the
//! action; a limit of the process tree ended it); an action whose output crossed the limit
//! fails with `invalid_output` whether it was stopped for it or exited first (so that the
//! outcome does not depend on which of the two the supervisor saw first); then the exit
//! code; and only a zero exit has its stdout parsed.

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use attune_runtime_api::{
    BoundedCapture, CapturedText, Failure, FailureKind, Limits, Metering, Outcome, OutputFormat, Stream,
};

use crate::process::{Ending, Supervised};
use crate::sandbox::NativeLimits;
use crate::sandbox::spec::{HelperReport, LimitReached};

/// A finished action: how its process ended, what the sandbox reported, how long it took.
pub(crate) struct Ended {
    /// The supervised process (the sandbox helper, which ends the way the action did).
    pub run: Supervised,
    /// The sandbox's report; `None` with the sandbox off, or when the helper was killed.
    pub report: Option<HelperReport>,
    /// Wall-clock time from start to end.
    pub wall: Duration,
}

/// The outcome of an action that ran under `limits` (its timeout and output limit) and
/// `native` (its sandbox's limits).
pub(crate) fn outcome(ended: Ended, format: OutputFormat, limits: &Limits, native: &NativeLimits) -> Outcome {
    let exit_code = match ended.run.ending {
        Ending::Exited => ended.run.exit_status.and_then(|status| status.code()),
        _ => None,
    };
    let result = judge(&ended, format, limits, native);
    let report = ended.report.as_ref();
    let metering = Metering {
        fuel_consumed: None,
        cpu_ms: report.map(|r| r.cpu_ms),
        peak_memory_bytes: report.map_or(0, |r| r.peak_memory_bytes),
        wall_ms: u64::try_from(ended.wall.as_millis()).unwrap_or(u64::MAX),
    };
    Outcome {
        result,
        stdout: ended.run.stdout,
        stderr: ended.run.stderr,
        exit_code,
        metering: Some(metering),
        ..Outcome::new(Ok(serde_json::Value::Null))
    }
}

fn judge(
    ended: &Ended,
    format: OutputFormat,
    limits: &Limits,
    native: &NativeLimits,
) -> Result<serde_json::Value, Failure> {
    let run = &ended.run;
    let output_limit = limits.output_bytes;
    let overflowing = match run.ending {
        Ending::OutputLimit(stream) => Some(stream),
        _ if run.stdout.truncated => Some(Stream::Stdout),
        _ if run.stderr.truncated => Some(Stream::Stderr),
        _ => None,
    };
    let fail = |kind, message: String| Err(Failure::new(kind, message));
    match run.ending {
        Ending::Cancelled => {
            return fail(FailureKind::Cancelled, "cancelled; the action's processes were stopped".into());
        }
        Ending::TimedOut => {
            return fail(
                FailureKind::Timeout,
                format!("did not finish within {}; the action's processes were stopped", seconds(limits.timeout)),
            );
        }
        Ending::Exited | Ending::OutputLimit(_) => {}
    }
    if let Some(report) = &ended.report {
        if let Some(problem) = &report.setup_error {
            return fail(FailureKind::SetupFailed, format!("the sandbox could not start the action: {problem}"));
        }
        if let Some(limit) = report.limit {
            return Err(limit_failure(limit, native));
        }
    }
    if let Some(stream) = overflowing {
        let name = if stream == Stream::Stderr { "stderr" } else { "stdout" };
        let stopped = match run.ending {
            Ending::OutputLimit(_) => "; the action was stopped",
            _ => "",
        };
        return fail(
            FailureKind::InvalidOutput,
            format!("the action wrote more than the {output_limit}-byte limit to {name}{stopped}"),
        );
    }
    let Some(status) = run.exit_status else {
        return fail(FailureKind::NonzeroExit, "the action's exit status could not be read".into());
    };
    if let Some(signal) = status.signal() {
        return fail(
            FailureKind::NonzeroExit,
            format!("was killed by signal {signal}{}", last_words(&run.stderr, output_limit)),
        );
    }
    match status.code() {
        Some(0) => parse(&run.stdout.text, format),
        code => fail(
            FailureKind::NonzeroExit,
            format!("exited with code {}{}", code.unwrap_or(-1), last_words(&run.stderr, output_limit)),
        ),
    }
}

/// The failure of a tree the sandbox ended at `limit`.
fn limit_failure(limit: LimitReached, native: &NativeLimits) -> Failure {
    match limit {
        LimitReached::Memory => Failure::new(
            FailureKind::MemoryLimit,
            format!("its processes used more than their {} MiB of memory and were stopped", native.memory_mb),
        ),
        LimitReached::Processes => Failure::new(
            FailureKind::ProcessLimit,
            format!("reached its limit of {} processes and threads and was stopped", native.processes),
        ),
        LimitReached::Cpu => Failure::new(
            FailureKind::CpuLimit,
            format!("a process used more than its {} s of CPU time and was stopped", native.cpu_s.unwrap_or(0)),
        ),
    }
}

/// stdout as the result, per `format`.
fn parse(stdout: &str, format: OutputFormat) -> Result<serde_json::Value, Failure> {
    let invalid = |detail: String| Err(Failure::new(FailureKind::InvalidOutput, format!("stdout is not {detail}")));
    match format {
        OutputFormat::Text => Ok(serde_json::json!({ "stdout": stdout })),
        _ if stdout.trim().is_empty() => invalid(format!("{} (it is empty)", document_name(format))),
        OutputFormat::Json => serde_json::from_str(stdout).or_else(|e| invalid(format!("one JSON document: {e}"))),
        OutputFormat::Yaml => serde_yaml_ng::from_str(stdout).or_else(|e| invalid(format!("one YAML document: {e}"))),
    }
}

fn document_name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Yaml => "a YAML document",
        _ => "a JSON document",
    }
}

/// `: <last line of stderr>` (not counting the truncation notice of a stream cut at
/// `output_limit`), or nothing when stderr is empty.
fn last_words(stderr: &CapturedText, output_limit: usize) -> String {
    let notice = BoundedCapture::truncation_notice(output_limit);
    stderr
        .text
        .strip_suffix(notice.as_str())
        .unwrap_or(&stderr.text)
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(|line| format!(": {line}"))
        .unwrap_or_default()
}

fn seconds(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{:.3} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stdout_is_parsed_per_format() {
        assert_eq!(parse("{\"a\": 1}\n", OutputFormat::Json), Ok(json!({"a": 1})));
        assert_eq!(parse("a: [1, two]\n", OutputFormat::Yaml), Ok(json!({"a": [1, "two"]})));
        assert_eq!(parse("hi\n", OutputFormat::Text), Ok(json!({"stdout": "hi\n"})));
        let not_json = parse("{\"a\": ", OutputFormat::Json).unwrap_err();
        assert_eq!(not_json.kind, FailureKind::InvalidOutput);
        assert!(not_json.message.starts_with("stdout is not one JSON document"), "{}", not_json.message);
        let empty = parse(" \n", OutputFormat::Yaml).unwrap_err();
        assert_eq!(empty.message, "stdout is not a YAML document (it is empty)");
    }

    #[test]
    fn the_last_stderr_line_skips_blank_lines_and_the_notice() {
        let plain = CapturedText { text: "first\nlast words\n\n".into(), ..CapturedText::default() };
        assert_eq!(last_words(&plain, 100), ": last words");
        let mut capture = BoundedCapture::new(13);
        capture.push("one\ntwo\nthree and more");
        assert_eq!(last_words(&capture.finish(), 13), ": three");
        assert_eq!(last_words(&CapturedText::default(), 100), "");
    }
}
