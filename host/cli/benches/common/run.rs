//! The frame of a benchmark: each deployment started in turn, logged in to as the admin
//! and measured, then torn down; the machine's load before and after; the table at the
//! end.

use std::sync::Arc;

use super::client::Api;
use super::deployment::{self, Deployment, Mode};
use super::report::{self, Row};
use super::settings::Settings;
use super::stats::load_average;

/// What a benchmark measures and how its table reads.
pub struct Shape {
    /// Its name, first on the first line.
    pub title: &'static str,
    /// What its pieces of work are called (`executions`, `posts`).
    pub what: &'static str,
    /// Names the PostgreSQL database of a distributed deployment.
    pub tag: &'static str,
    /// Heads the throughput column.
    pub rate: &'static str,
    /// The latency stages, as named in the table.
    pub stages: &'static [&'static str],
    /// What the stages are.
    pub legend: &'static str,
}

/// Runs `measure` on each deployment of `settings` and prints the figures. The client runs
/// on one thread: its share of the two cores stays small and steady.
pub fn run(settings: &Settings, shape: &Shape, mut measure: impl AsyncFnMut(Arc<Api>, Mode) -> Vec<Row>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        println!("{}: {}", shape.title, settings.describe(shape.what));
        println!("load average before: {}", load_average());
        let mut rows = Vec::new();
        for mode in settings.modes.iter().copied() {
            let deployment = Deployment::start(mode, shape.tag, &settings.log).await;
            println!("{mode}: {}", deployment.description);
            let api = Arc::new(Api::login(&deployment.url, deployment::ADMIN_PASSWORD).await);
            for row in measure(api, mode).await {
                println!("{}", row.progress(shape.what));
                rows.push(row);
            }
            let resident: Vec<String> =
                deployment.resident_mib().iter().map(|(role, mib)| format!("{role} {mib:.0} MiB")).collect();
            println!("{mode}: resident memory after the run: {}", resident.join(", "));
        }
        println!("load average after: {}", load_average());
        println!();
        print!("{}", report::table(&rows, shape.rate, shape.stages, shape.legend));
    });
}
