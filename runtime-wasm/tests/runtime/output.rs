//! What guests write reaches the sink live and the outcome bounded.

use attune_runtime_api::{Runtime, Stream};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

#[tokio::test]
async fn log_lines_and_stdout_are_captured_and_streamed() {
    let sandbox = Sandbox::new();
    let request = request(&sandbox.guest("greeter", &guests::greeter()), json!({}));
    let (io, recorder) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({})));
    assert_eq!(outcome.log.text, "[info] hello from the guest\n");
    assert_eq!(outcome.stdout.text, "printed line\n");
    assert!(outcome.stderr.text.is_empty());
    assert_eq!(recorder.texts(Stream::Log), ["hello from the guest"]);
    assert_eq!(recorder.texts(Stream::Stdout), ["printed line"]);
    let log_line = &recorder.lines()[0];
    assert_eq!(log_line.level.as_deref(), Some("info"));
    let metering = outcome.metering.expect("metering");
    assert!(metering.fuel_consumed.unwrap() > 0);
    assert!(metering.peak_memory_bytes >= 64 << 10, "{metering:?}");
}

#[tokio::test]
async fn huge_output_is_truncated_and_flagged() {
    let sandbox = Sandbox::new();
    let lines = 20_000; // 20 MB on each of stdout and the log
    let mut request = request(&sandbox.guest("chatty", &guests::chatterbox(lines)), json!({}));
    request.limits.output_bytes = 64 << 10;
    let (io, recorder) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({})), "the guest is not stopped");
    for (name, captured) in [("stdout", &outcome.stdout), ("log", &outcome.log)] {
        assert!(captured.truncated, "{name} flagged");
        assert!(captured.total_bytes >= 20_000_000, "{name} counted");
        assert!(captured.text.len() < (64 << 10) + 200, "{name} bounded");
        assert!(captured.text.ends_with("[output truncated: only the first 65536 bytes were kept]"), "{name} notice");
    }
    let streamed = recorder.texts(Stream::Stdout);
    assert!(streamed.len() < 70, "live lines stop at the limit too: {}", streamed.len());
    assert!(streamed.last().unwrap().contains("truncated"));
}
