//! A native sensor's output: one JSON event per stdout line, stderr to the log.
//!
//! A line is `{"trigger": "pack.trigger", "payload": {...}}`; `trigger` may be left out
//! when the sensor declares exactly one trigger type, `payload` defaults to `{}`, and any
//! other key is refused (a misspelt `payload` would otherwise produce empty events). Blank
//! lines are ignored. A line that is not such an event, or names a trigger the sensor
//! does not declare, is skipped and reported: logged every time, and shown in the
//! sensor's status detail (at most every few seconds, so that a sensor printing garbage
//! does not turn into a stream of store writes). Lines longer than
//! [`attune_runtime_native::process::MAX_LINE_BYTES`] reach us in pieces and are skipped.
//!
//! At most [`BACKLOG`] lines wait to be recorded. A sensor writing faster than that has
//! the excess dropped (the capture path cannot wait): counted, logged and reported in the
//! status detail the same way.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use attune_domain::Json;
use attune_domain::status::SensorStatus;
use attune_runtime_api::{OutputLine, Stream};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::context::Context;
use crate::custom::CustomSensor;

/// Lines read but not yet turned into events, at most.
pub(crate) const BACKLOG: usize = 1024;

/// Shortest time between two status details about skipped lines.
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// Characters of a skipped line quoted in the report.
const QUOTED_CHARS: usize = 120;

/// One line as the sensor writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    trigger: Option<String>,
    #[serde(default = "empty_object")]
    payload: Json,
}

fn empty_object() -> Json {
    Json::Object(Default::default())
}

/// The trigger and payload of a stdout line; `None` for a blank line.
pub(crate) fn parse(text: &str, trigger_types: &[String]) -> Result<Option<(String, Json)>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let line: EventLine = serde_json::from_str(text).map_err(|e| format!("not a JSON event ({e}): {}", quote(text)))?;
    let trigger = match (line.trigger, trigger_types) {
        (Some(trigger), _) => trigger,
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(format!(
                "an event without \"trigger\" (required: the sensor declares {} trigger types): {}",
                trigger_types.len(),
                quote(text)
            ));
        }
    };
    Ok(Some((trigger, line.payload)))
}

fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("'{}…'", &text[..end]),
        None => format!("'{text}'"),
    }
}

/// Turns the lines of one run of the process into events until the process's output
/// ends. `pid` goes into the status detail.
pub(crate) async fn consume(
    ctx: Context,
    unit: CustomSensor,
    mut lines: mpsc::Receiver<OutputLine>,
    dropped: Arc<AtomicU64>,
    pid: i32,
) {
    let sensor_ref = unit.sensor_ref().to_owned();
    let mut skipped = 0u64;
    let mut reported: Option<Instant> = None;
    let mut dropped_reported = 0;
    while let Some(line) = lines.recv().await {
        let dropped_now = dropped.load(Ordering::Relaxed);
        if dropped_now > dropped_reported && reported.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
            tracing::warn!(sensor = %sensor_ref, pid, dropped = dropped_now, "output lines dropped: the sensor writes faster than its events are recorded");
            reported = Some(Instant::now());
            dropped_reported = dropped_now;
            let detail = format!(
                "pid {pid}; {dropped_now} output line(s) dropped: the sensor writes faster than its events are recorded"
            );
            ctx.status(&sensor_ref, SensorStatus::Running, Some(detail)).await;
        }
        if line.stream != Stream::Stdout {
            tracing::info!(sensor = %sensor_ref, pid, "{}", line.text);
            continue;
        }
        let event = parse(&line.text, &unit.sensor.trigger_types)
            .and_then(|parsed| parsed.map(|(trigger, payload)| unit.event(&trigger, payload)).transpose());
        match event {
            Ok(Some(event)) => {
                ctx.emit(&event).await;
            }
            Ok(None) => {}
            Err(problem) => {
                skipped += 1;
                tracing::warn!(sensor = %sensor_ref, pid, "output line skipped: {problem}");
                if reported.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
                    reported = Some(Instant::now());
                    let detail = format!("pid {pid}; {skipped} output line(s) skipped, the last: {problem}");
                    ctx.status(&sensor_ref, SensorStatus::Running, Some(detail)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lines_become_events_or_reasons() {
        let one = ["p.t".to_owned()];
        let two = ["p.t".to_owned(), "p.u".to_owned()];
        assert_eq!(
            parse(r#"{"trigger": "p.u", "payload": {"n": 1}}"#, &two),
            Ok(Some(("p.u".into(), json!({"n": 1}))))
        );
        assert_eq!(parse(r#"{"payload": 3}"#, &one), Ok(Some(("p.t".into(), json!(3)))));
        assert_eq!(parse(r#"{"trigger": "p.t"}"#, &one), Ok(Some(("p.t".into(), json!({})))));
        assert_eq!(parse("   ", &one), Ok(None));
        assert!(parse(r#"{"payload": 3}"#, &two).unwrap_err().contains("without \"trigger\""));
        assert!(parse("hello", &one).unwrap_err().starts_with("not a JSON event"));
        assert!(parse(r#"{"trigger": "p.t", "paylaod": {}}"#, &one).unwrap_err().contains("unknown field `paylaod`"));
        let long = "x".repeat(500);
        assert!(parse(&long, &one).unwrap_err().ends_with("…'"));
    }
}
