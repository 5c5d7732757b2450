//! Execution overhead of the native runtimes against a raw spawn of the same interpreter
//! running the same trivial script, all measured in the same run: the runtime with its
//! sandbox (the default) and without it (`runtimes.native.sandbox: false`).
//!
//! Run with `cargo bench -p attune-runtime-native --bench overhead` (release build; the
//! `attune-sandbox` helper is built with it). `ATTUNE_BENCH_ITERATIONS` sets the measured
//! runs per case (default 100). Runs of the three alternate, so that drift in machine load
//! affects each alike.
//!
//! The raw spawn is what any runner must do at least: start the interpreter on the script
//! with stdout and stderr piped, and wait for it. It gets the same clean environment as the
//! action (`PATH`, `HOME`, `LANG`): what the worker's own environment holds changes
//! interpreter start-up (node loading `NODE_EXTRA_CA_CERTS`, for one) and is not the
//! runtime's cost. The runtime adds the input document on stdin (and the shell prelude), a
//! process group, output streaming and capture, supervision, and parsing stdout as JSON;
//! the sandbox adds the helper's process, the namespaces, the view of the filesystem,
//! Landlock and the limits.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use attune_runtime_api::{
    ExecutionContext, ExecutionIo, ExecutionRequest, Limits, MemoryKv, OutputFormat, RequestedLimits, Runtime,
};
use attune_runtime_native::{NativeConfig, NativeRuntimes};
use serde_json::json;

const WARM_UP_RUNS: usize = 5;

struct Case {
    runner_type: &'static str,
    script: &'static str,
    source: &'static str,
}

const CASES: [Case; 3] = [
    Case { runner_type: "shell", script: "trivial.sh", source: "echo '{\"ok\": true}'\n" },
    Case { runner_type: "python", script: "trivial.py", source: "print('{\"ok\": true}')\n" },
    Case { runner_type: "node", script: "trivial.js", source: "console.log('{\"ok\": true}')\n" },
];

fn main() {
    let iterations: usize = std::env::var("ATTUNE_BENCH_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(100);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(bench(iterations));
}

async fn bench(iterations: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack_dir = dir.path().join("bench");
    std::fs::create_dir_all(pack_dir.join("actions")).expect("pack dir");
    let confined = NativeRuntimes::new(NativeConfig::with_envs_dir(dir.path().join("envs")));
    let mut off = NativeConfig::with_envs_dir(dir.path().join("envs"));
    off.sandbox.enabled = false;
    let unconfined = NativeRuntimes::new(off);
    let sandbox = confined.toolchain().sandbox().probe().await.expect("the sandbox works on this host");
    let toolchain = confined.toolchain().clone();

    println!("native runtime overhead: {iterations} runs per case; median (mean) in ms");
    println!("sandbox {}", sandbox.describe());
    println!(
        "{:<7} {:>17} {:>17} {:>17} {:>9} {:>9} {:>6}  interpreter",
        "runner", "raw spawn", "unconfined", "sandboxed", "sandbox", "overhead", "ratio"
    );
    for case in CASES {
        let script = pack_dir.join("actions").join(case.script);
        std::fs::write(&script, case.source).expect("script");
        let interpreter = match case.runner_type {
            "shell" => toolchain.bash().await,
            "python" => toolchain.python3().await,
            _ => toolchain.node().await,
        }
        .expect("interpreter installed");
        let runtime_of = |runtimes: &NativeRuntimes| {
            runtimes.runtimes().into_iter().find(|r| r.runner_types() == [case.runner_type]).expect("runtime")
        };
        let (sandboxed, plain) = (runtime_of(&confined), runtime_of(&unconfined));
        let request = request(&pack_dir, &script);
        let clean_env = toolchain.child_env(&[]);

        for _ in 0..WARM_UP_RUNS {
            raw_spawn(&interpreter, &script, &pack_dir, &clean_env).await;
            run_action(&plain, request.clone()).await;
            run_action(&sandboxed, request.clone()).await;
        }
        let (mut raw, mut without, mut with) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..iterations {
            raw.push(raw_spawn(&interpreter, &script, &pack_dir, &clean_env).await);
            without.push(run_action(&plain, request.clone()).await);
            with.push(run_action(&sandboxed, request.clone()).await);
        }
        let (raw_median, raw_mean) = summary(&mut raw);
        let (plain_median, plain_mean) = summary(&mut without);
        let (median, mean) = summary(&mut with);
        println!(
            "{:<7} {:>7.2} ({:>7.2}) {:>7.2} ({:>7.2}) {:>7.2} ({:>7.2}) {:>+9.2} {:>+9.2} {:>5.2}x  {}",
            case.runner_type,
            ms(raw_median),
            ms(raw_mean),
            ms(plain_median),
            ms(plain_mean),
            ms(median),
            ms(mean),
            ms(median) - ms(plain_median),
            ms(median) - ms(raw_median),
            median.as_secs_f64() / raw_median.as_secs_f64(),
            interpreter.display()
        );
    }
    println!("sandbox: sandboxed − unconfined; overhead and ratio: sandboxed against the raw spawn");
}

fn request(pack_dir: &Path, script: &Path) -> ExecutionRequest {
    ExecutionRequest {
        context: ExecutionContext {
            execution_id: 1,
            action_ref: "bench.trivial".into(),
            pack_ref: "bench".into(),
            attempt: 1,
            ..ExecutionContext::default()
        },
        pack_dir: pack_dir.to_path_buf(),
        entry_point: script.to_path_buf(),
        parameters: json!({"message": "hello", "count": 3}),
        secrets: [("token".to_owned(), "s3cr3t".to_owned())].into(),
        pack_config: json!({}),
        output_format: OutputFormat::Json,
        allowed_hosts: Vec::new(),
        limits: Limits {
            timeout: Duration::from_secs(60),
            fuel: 0,
            memory_bytes: 0,
            output_bytes: 10 << 20,
            artifact_bytes: 1 << 20,
        },
        requested_limits: RequestedLimits::default(),
        kv: Arc::new(MemoryKv::new()),
    }
}

async fn raw_spawn(interpreter: &PathBuf, script: &Path, cwd: &Path, env: &[(OsString, OsString)]) -> Duration {
    let started = Instant::now();
    let output = tokio::process::Command::new(interpreter)
        .arg(script)
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .expect("raw spawn");
    let elapsed = started.elapsed();
    assert!(output.status.success(), "raw spawn failed");
    elapsed
}

async fn run_action(runtime: &Arc<dyn Runtime>, request: ExecutionRequest) -> Duration {
    let started = Instant::now();
    let outcome = runtime.execute(request, ExecutionIo::detached()).await;
    let elapsed = started.elapsed();
    assert_eq!(outcome.result, Ok(json!({"ok": true})), "{outcome:?}");
    elapsed
}

/// Median and mean.
fn summary(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    (median, mean)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
