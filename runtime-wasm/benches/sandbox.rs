//! Figures of the WASM runtime, printed as a table (see docs/performance.md):
//!
//! - per-execution overhead of `WasmRuntime::execute` against a raw wasmtime
//!   instantiate + call of the same component, measured in the same run;
//! - cold compile against loading from the component cache;
//! - executions per second, all cores busy, for a trivial WAT component and a Python one.
//!
//! Run with `cargo bench -p attune-runtime-wasm` (release build). The Python figures need
//! componentize-py (`scripts/install-wasm-tools.sh`); the built Python component is kept
//! under the target directory between runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use attune_runtime_api::{
    ExecutionContext, ExecutionIo, ExecutionRequest, LimitPolicy, MemoryKv, OutputFormat, RequestedLimits, Runtime,
};
use attune_runtime_wasm::{CacheKey, WasmRuntime, WasmRuntimeConfig, World, build};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

/// The trivial action: returns its parameters, imports nothing.
const TRIVIAL_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 3)))
    (local.get $ptr))
  (func (export "run") (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (param $params i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $params))
    (i32.store (i32.const 8) (local.get $len))
    (i32.const 0)))"#;

/// The trivial action in Python.
const TRIVIAL_PY: &str = r#"import wit_world

class WitWorld(wit_world.WitWorld):
    def run(self, ctx, params: str) -> str:
        return params
"#;

mod raw {
    wasmtime::component::bindgen!({
        inline: "
            package bench:raw;
            world action {
                record context {
                    execution-id: s64, action-ref: string, pack-ref: string, attempt: u32,
                    rule-ref: option<string>, trigger-ref: option<string>,
                }
                record action-error { message: string }
                export run: func(ctx: context, params: string) -> result<string, action-error>;
            }
        ",
        exports: { default: async },
    });
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    runtime.block_on(run());
}

async fn run() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let trivial = scratch.path().join("trivial.wat");
    std::fs::write(&trivial, TRIVIAL_WAT).unwrap();
    let component = build::component_from_source(TRIVIAL_WAT.as_bytes(), World::Action).unwrap();
    println!("WASM runtime benchmark ({} CPUs)", std::thread::available_parallelism().map_or(0, |n| n.get()));
    println!();

    // Per-execution overhead, sequential, warm. Rounds alternate between the two so that
    // background load affects both alike; the best round of each is reported.
    let rounds = 7;
    let iterations = 5_000;
    let cache = scratch.path().join("cache");
    let attune = runtime(&cache);
    let (mut raw, mut tuned, mut ours) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        raw = raw.min(raw_instantiate_and_call(&component, iterations, Baseline::Default).await);
        tuned = tuned.min(raw_instantiate_and_call(&component, iterations, Baseline::Tuned).await);
        ours = ours.min(sequential(&attune, &trivial, iterations).await);
    }
    println!("per execution (trivial component, sequential, best of {rounds} rounds of {iterations}):");
    println!("  raw wasmtime instantiate + call   {:>8.1} µs", micros(raw));
    println!("  raw wasmtime, same engine settings {:>6.1} µs", micros(tuned));
    println!("  WasmRuntime::execute              {:>8.1} µs", micros(ours));
    println!("  ratio to raw                      {:>8.2} ×", ours.as_secs_f64() / raw.as_secs_f64());
    println!("  ratio to raw, same settings       {:>8.2} ×", ours.as_secs_f64() / tuned.as_secs_f64());
    println!();

    // Throughput with every core busy.
    let trivial_rate = throughput(&attune, &trivial, 40_000, 64).await;
    println!("throughput (trivial component):      {trivial_rate:>8.0} executions/s");

    // Compile against cache load, from a component file (no WAT to componentize), each on
    // a runtime created beforehand (engine and pool set-up are not timed).
    let component_file = scratch.path().join("trivial.wasm");
    std::fs::write(&component_file, &component).unwrap();
    let cold_cache = scratch.path().join("cold");
    let fresh = runtime(&cold_cache);
    let cold = time(|| async { fresh.prepare(&component_file, World::Action).await.unwrap() }).await;
    let restarted = runtime(&cold_cache);
    let warm = time(|| async { restarted.prepare(&component_file, World::Action).await.unwrap() }).await;
    assert_eq!(restarted.stats().compiled, 0, "loaded from the cache");
    let componentize = time(|| async {
        build::component_from_source(TRIVIAL_WAT.as_bytes(), World::Action).unwrap();
    })
    .await;
    println!(
        "trivial component: compile {:>8.2} ms, load from cache {:>8.2} ms (WAT to component: {:.2} ms)",
        millis(cold),
        millis(warm),
        millis(componentize)
    );

    match build::locate_componentize_py() {
        Ok(_) => python(&scratch.path().join("python")).await,
        Err(missing) => println!("python figures skipped: {missing}"),
    }
}

async fn python(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let app = dir.join("trivial_app.py");
    std::fs::write(&app, TRIVIAL_PY).unwrap();
    // Built Python components are kept across runs (content-addressed), compiled ones not.
    let shared = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-cache");
    let first = runtime(&shared);
    let built = time(|| async { first.prepare(&app, World::Action).await.unwrap() }).await;
    let engine_dirs: Vec<PathBuf> = std::fs::read_dir(&shared)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "python"))
        .collect();
    for dir in engine_dirs {
        std::fs::remove_dir_all(dir).unwrap();
    }
    let fresh = runtime(&shared);
    let cold = time(|| async { fresh.prepare(&app, World::Action).await.unwrap() }).await;
    let attune = runtime(&shared);
    let warm = time(|| async { attune.prepare(&app, World::Action).await.unwrap() }).await;
    assert_eq!(attune.stats().compiled, 0, "loaded from the cache");
    println!(
        "python component: first prepare {:>8.0} ms (build if not kept), compile {:>8.0} ms, load from cache {:>8.1} ms",
        millis(built),
        millis(cold),
        millis(warm)
    );
    let single = sequential(&attune, &app, 50).await;
    println!("python per execution (sequential):  {:>8.2} ms", millis(single));
    let rate = throughput(&attune, &app, 400, 8).await;
    println!("throughput (python component):       {rate:>8.0} executions/s");
}

fn runtime(cache: &Path) -> WasmRuntime {
    // One key for every runtime of the run, as a restarted server derives the same one:
    // the second runtime on a cache directory loads what the first compiled.
    let mut config = WasmRuntimeConfig::with_cache_dir(cache);
    config.cache_key = CacheKey::derived_from(b"sandbox benchmark");
    WasmRuntime::new(config).expect("runtime")
}

fn request(entry_point: &Path, n: u64) -> ExecutionRequest {
    ExecutionRequest {
        context: ExecutionContext {
            execution_id: i64::try_from(n).unwrap_or(0),
            action_ref: "bench.trivial".into(),
            pack_ref: "bench".into(),
            attempt: 1,
            ..ExecutionContext::default()
        },
        pack_dir: entry_point.parent().unwrap().to_path_buf(),
        entry_point: entry_point.to_path_buf(),
        parameters: serde_json::json!({"n": n}),
        secrets: Default::default(),
        pack_config: serde_json::json!({}),
        output_format: OutputFormat::Json,
        allowed_hosts: Vec::new(),
        limits: LimitPolicy::default().defaults,
        requested_limits: RequestedLimits::default(),
        kv: Arc::new(MemoryKv::new()),
    }
}

async fn sequential(runtime: &WasmRuntime, entry_point: &Path, iterations: u32) -> Duration {
    // Warm up: compile, fill the pool's warm slots.
    for n in 0..10 {
        let outcome = runtime.execute(request(entry_point, n), ExecutionIo::detached()).await;
        assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    }
    let started = Instant::now();
    for n in 0..iterations {
        let outcome = runtime.execute(request(entry_point, u64::from(n)), ExecutionIo::detached()).await;
        assert!(outcome.result.is_ok());
    }
    started.elapsed() / iterations
}

async fn throughput(runtime: &WasmRuntime, entry_point: &Path, total: u64, in_flight: u64) -> f64 {
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..in_flight {
        let runtime = runtime.clone();
        let entry_point = entry_point.to_path_buf();
        workers.push(tokio::spawn(async move {
            let mut n = worker;
            while n < total {
                let outcome = runtime.execute(request(&entry_point, n), ExecutionIo::detached()).await;
                assert!(outcome.result.is_ok());
                n += in_flight;
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// Engine settings of a baseline.
#[derive(Clone, Copy)]
enum Baseline {
    /// wasmtime's defaults with the pooling allocator.
    Default,
    /// What `WasmRuntime` uses: fuel, epoch interruption, the pool's warm slots and what
    /// they keep resident.
    Tuned,
}

/// The baseline: a pooled engine, the component pre-instantiated, a fresh store per call.
async fn raw_instantiate_and_call(component_bytes: &[u8], iterations: u32, baseline: Baseline) -> Duration {
    let mut pool = PoolingAllocationConfig::new();
    let mut config = Config::new();
    if let Baseline::Tuned = baseline {
        pool.max_unused_warm_slots(16)
            .pagemap_scan(wasmtime::Enabled::Auto)
            .linear_memory_keep_resident(1 << 20)
            .table_keep_resident(1 << 20);
        config.consume_fuel(true).epoch_interruption(true);
    }
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    let engine = Engine::new(&config).unwrap();
    let component = Component::new(&engine, component_bytes).unwrap();
    let linker = Linker::<()>::new(&engine);
    let pre = raw::ActionPre::new(linker.instantiate_pre(&component).unwrap()).unwrap();
    let context = raw::Context {
        execution_id: 1,
        action_ref: "bench.trivial".into(),
        pack_ref: "bench".into(),
        attempt: 1,
        rule_ref: None,
        trigger_ref: None,
    };
    let call = |n: u32| {
        let pre = pre.clone();
        let context = context.clone();
        async move {
            let mut store = Store::new(pre.engine(), ());
            if let Baseline::Tuned = baseline {
                store.set_fuel(u64::MAX).unwrap();
                store.set_epoch_deadline(u64::MAX);
            }
            let action = pre.instantiate_async(&mut store).await.unwrap();
            let params = format!("{{\"n\":{n}}}");
            action.call_run(&mut store, &context, &params).await.unwrap().unwrap()
        }
    };
    for n in 0..10 {
        call(n).await;
    }
    let started = Instant::now();
    for n in 0..iterations {
        call(n).await;
    }
    started.elapsed() / iterations
}

async fn time<F, Fut>(f: F) -> Duration
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    f().await;
    started.elapsed()
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
