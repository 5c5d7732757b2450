//! The printed figures: a line per measured row as it comes, and a table at the end.

use std::fmt::Write;

use super::deployment::Mode;
use super::drive::Throughput;
use super::stats::{Latency, ms};

/// The figures of one subject (an action, a rule) in one deployment.
pub struct Row {
    /// The deployment.
    pub mode: Mode,
    /// What was measured.
    pub subject: &'static str,
    /// Its throughput run.
    pub throughput: Throughput,
    /// Its latency run.
    pub latency: Latency,
}

impl Row {
    /// One line printed as soon as the row is measured; `unit` names what was counted.
    pub fn progress(&self, unit: &str) -> String {
        let t = &self.throughput;
        format!(
            "  {:<28} {} {unit} in {:.1} s ({:.1}/s; requests answered in {:.1} s); latency over {}: p50 {:.1} ms, p99 {:.1} ms",
            self.subject,
            t.count,
            t.elapsed.as_secs_f64(),
            t.per_second(),
            t.submitted_in.as_secs_f64(),
            self.latency.len(),
            ms(self.latency.percentile(50.0)),
            ms(self.latency.percentile(99.0)),
        )
    }
}

/// The table of every row: throughput (`rate` heads its column), latency percentiles, the
/// median answer of a request and the median of each latency stage (named by `stages`,
/// explained by `legend`).
pub fn table(rows: &[Row], rate: &str, stages: &[&str], legend: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{:<12} {:<28} {rate:>9} {:>9} {:>8} {:>8} | {:>6}",
        "mode", "", "submit/s", "p50 ms", "p99 ms", "answer"
    );
    for stage in stages {
        let _ = write!(out, " {stage:>9}");
    }
    out.push('\n');
    for row in rows {
        let (t, l) = (&row.throughput, &row.latency);
        let _ = write!(
            out,
            "{:<12} {:<28} {:>9.1} {:>9.1} {:>8.1} {:>8.1} | {:>6.1}",
            row.mode.to_string(),
            row.subject,
            t.per_second(),
            t.submitted_per_second(),
            ms(l.percentile(50.0)),
            ms(l.percentile(99.0)),
            l.answered_median_ms(),
        );
        for index in 0..stages.len() {
            let _ = write!(out, " {:>9.1}", l.stage_median_ms(index));
        }
        out.push('\n');
    }
    let _ =
        writeln!(out, "(right of '|', medians in ms: the request's answer; then the stages of the latency: {legend})");
    out
}
