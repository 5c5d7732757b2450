//! The instance pool keeps few slots warm: executions reuse freed slots, so its resident
//! memory follows the executions in flight, not the number of guests or the pool's size.

use attune_runtime_api::{ExecutionIo, Runtime};
use attune_runtime_wasm::{CacheKey, WasmRuntime, WasmRuntimeConfig};
use serde_json::json;

use crate::support::wat::{self, Strings};
use crate::support::{Sandbox, request};

/// A guest of its own (a distinct module, so no slot is affine to it) that echoes.
fn distinct_echo(n: usize) -> String {
    let mut strings = Strings::default();
    strings.add(&format!("guest {n}"));
    wat::action(&strings, "", "(call $ok (local.get $params) (local.get $params_len))")
}

#[tokio::test]
async fn a_guest_met_once_takes_a_warm_slot_once_enough_are_warm() {
    let sandbox = Sandbox::new();
    let mut config = WasmRuntimeConfig::with_cache_dir(sandbox.dir.path().join("pool-cache"));
    config.max_memory_bytes = 64 << 20;
    config.warm_slots = 2;
    config.cache_key = CacheKey::derived_from(b"pool test");
    let runtime = WasmRuntime::new(config).expect("runtime");

    for n in 0..12 {
        let guest = sandbox.guest(&format!("guest{n}"), &distinct_echo(n));
        let outcome = runtime.execute(request(&guest, json!({"n": n})), ExecutionIo::detached()).await;
        assert_eq!(outcome.result, Ok(json!({"n": n})));
    }

    let pool = runtime.pool();
    assert_eq!(pool.instances, 0, "nothing in flight");
    assert!(pool.warm_memories <= 3, "12 guests one after another keep {} memories warm", pool.warm_memories);
    assert!(
        pool.warm_memory_bytes <= 3 << 20,
        "warm memories keep {} bytes resident (at most 1 MiB each)",
        pool.warm_memory_bytes
    );
}
