//! Faults that must stay inside one execution: a runtime that panics, a guest asking the
//! datastore for the impossible. The worker keeps running and the execution ends.

use std::sync::Arc;

use async_trait::async_trait;
use attune_domain::status::ExecutionStatus;
use attune_runtime_api::{ExecutionIo, ExecutionRequest, Outcome, Runtime};
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::{Options, Pipeline};

backend_tests!(
    a_panicking_runtime_fails_its_execution_and_frees_the_slot,
    a_cancelled_execution_whose_runtime_panics_still_ends,
    a_guest_key_that_would_never_expire_is_refused,
);

/// Runs shell actions by panicking: at once, or (`core.sleep`) once the execution is cancelled.
struct Panicking;

#[async_trait]
impl Runtime for Panicking {
    fn runner_types(&self) -> Vec<&'static str> {
        vec!["shell"]
    }

    async fn execute(&self, request: ExecutionRequest, io: ExecutionIo) -> Outcome {
        if request.parameters.get("seconds").is_some() {
            io.cancel.cancelled().await;
        }
        panic!("runtime bug reached with {}", request.parameters);
    }
}

fn panicking() -> Options {
    Options { concurrency: 1, runtime_override: Some(Arc::new(Panicking)), ..Options::default() }
}

async fn a_panicking_runtime_fails_its_execution_and_frees_the_slot(backend: Backend) {
    let pipeline = Pipeline::start_with(backend, panicking()).await;
    // One slot: the second and third run only if the first panic released it.
    for n in 0..3 {
        let execution = pipeline.run("core.echo", json!({"message": format!("attempt {n}")})).await;
        assert_eq!(execution.status, ExecutionStatus::Failed, "{:?}", execution.result);
        let error = &execution.result.unwrap()["error"];
        assert_eq!(error["kind"], "internal_error");
        assert!(!error["message"].as_str().unwrap().contains("attempt"), "the panic's text stays in the log: {error}");
    }
    // The worker still runs what its runtimes do not panic on.
    let wasm = pipeline.run("examples-wasm.echo", json!({"message": "still here"})).await;
    assert_eq!(wasm.status, ExecutionStatus::Completed, "{:?}", wasm.result);
    pipeline.stop().await;
}

async fn a_cancelled_execution_whose_runtime_panics_still_ends(backend: Backend) {
    let pipeline = Pipeline::start_with(backend, panicking()).await;
    let id = pipeline.request("core.sleep", json!({"seconds": 120})).await;
    pipeline.wait_for(id, |e| e.status == ExecutionStatus::Running).await;
    attune_services::executions::cancel(&pipeline.platform, id).await.unwrap();
    let ended = pipeline.finished(id).await;
    assert_eq!(ended.status, ExecutionStatus::Failed, "not stuck in canceling: {:?}", ended.result);
    assert_eq!(ended.result.unwrap()["error"]["kind"], "internal_error");
    pipeline.stop().await;
}

/// Sets kv `forever` with a time-to-live of 10^15 seconds (an expiry past any representable
/// date); returns `{"refused": B}`, B telling whether the datastore answered an error.
const FOREVER_WAT: &str = r#"(module
  (import "attune:automation/kv@0.1.0" "set" (func $kv_set (param i32 i32 i32 i32 i32 i64 i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "forever")
  (data (i32.const 80) "{\"refused\":true}")
  (data (i32.const 112) "{\"refused\":false}")
  (global $heap (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
    (local.get $ptr))
  (func (export "run")
    (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (param $params i32) (param $params_len i32)
    (result i32)
    (call $kv_set (i32.const 64) (i32.const 7) (i32.const 64) (i32.const 7) (i32.const 1) (i64.const 1000000000000000) (i32.const 32))
    (i32.store8 (i32.const 0) (i32.const 0))
    (if (i32.load8_u (i32.const 32))
      (then (i32.store (i32.const 4) (i32.const 80)) (i32.store (i32.const 8) (i32.const 16)))
      (else (i32.store (i32.const 4) (i32.const 112)) (i32.store (i32.const 8) (i32.const 17))))
    (i32.const 0))
)
"#;

async fn a_guest_key_that_would_never_expire_is_refused(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    pipeline
        .register_pack(
            "hostile",
            &[
                ("actions/forever.yaml", "runner_type: wasm\nentry_point: forever.wat\n"),
                ("actions/forever.wat", FOREVER_WAT),
            ],
        )
        .await;
    let execution = pipeline.run("hostile.forever", json!({})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.result, Some(json!({"refused": true})));
    let stored = pipeline.platform.store.get_key(attune_domain::status::KeyOwnerType::Pack, "hostile", "forever").await;
    assert!(stored.is_err(), "nothing was stored: {stored:?}");
    pipeline.stop().await;
}
