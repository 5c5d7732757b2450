//! The one wasmtime [`Engine`] every execution shares, and the epoch clock that drives it.
//!
//! Sharing the engine is what makes executions cheap: compiled code, the instance pool and
//! the type registry are set up once. Each execution still gets its own `Store`, so nothing
//! a guest does survives it or leaks into another execution.

use std::thread;

use wasmtime::{Config, Engine, InstanceAllocationStrategy};

use crate::config::WasmRuntimeConfig;
use crate::error::SetupError;
use crate::pool;

/// Native stack for one guest call; async fibers get this plus room for host frames.
const WASM_STACK_BYTES: usize = 1 << 20;
const ASYNC_STACK_BYTES: usize = 2 << 20;

/// Builds the engine: Cranelift, fuel metering, epoch interruption, the pooling allocator
/// sized by `config` (see [`pool`]), and no garbage-collection proposals (our guests don't
/// use them).
pub(crate) fn build_engine(config: &WasmRuntimeConfig) -> Result<Engine, SetupError> {
    let max_memory = usize::try_from(config.max_memory_bytes).unwrap_or(usize::MAX).min(4 << 30);
    let mut wasm = Config::new();
    wasm.consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(WASM_STACK_BYTES)
        .async_stack_size(ASYNC_STACK_BYTES)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool::pooling(config, max_memory)));
    let engine = Engine::new(&wasm).map_err(|e| SetupError::Engine(format!("{e:#}")))?;
    start_epoch_clock(&engine, config);
    Ok(engine)
}

/// Advances the engine's epoch every `epoch_tick` on a background thread, for as long as the
/// engine lives (the thread holds only a weak reference and exits once it is gone).
///
/// Each store asks to be called back at the next tick; the callback checks the execution's
/// deadline and cancel token and yields to the async executor, so a guest spinning in a
/// loop can neither outlive its timeout nor starve other executions of the thread.
fn start_epoch_clock(engine: &Engine, config: &WasmRuntimeConfig) {
    let weak = engine.weak();
    let tick = config.epoch_tick;
    let spawned = thread::Builder::new().name("attune-wasm-epoch".into()).spawn(move || {
        loop {
            thread::sleep(tick);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        }
    });
    if let Err(error) = spawned {
        // Without the clock, timeouts still hold at host-call boundaries (tokio timeout);
        // only a guest spinning in pure computation would run until its fuel is spent.
        tracing::error!(%error, "could not start the WebAssembly epoch clock");
    }
}
