//! The instance pool: how many executions may hold an instance at once, and what the pool
//! keeps resident between executions.
//!
//! Every execution takes a slot for each of its memories and tables, and a fiber stack,
//! from a pool reserved once in address space; a slot costs resident memory only for the
//! pages an execution wrote. What a freed slot keeps is the trade between latency and
//! memory: pages kept resident are reset in place and reused without page faults or
//! `madvise` (see docs/performance.md), pages released cost nothing until written again.
//!
//! - Freed slots are reused first (a guest's own slots before others'), and at most
//!   `warm_slots` unused ones are kept warm: the slots ever used number the executions in
//!   flight at the busiest moment plus `warm_slots`, not the pool's size (wasmtime's
//!   default prefers never-used slots until 100 are warm).
//! - Of a warm memory or table, at most `keep_resident_bytes` stay resident. With the
//!   kernel's `PAGEMAP_SCAN` (Linux 6.7+), only pages the guest wrote are reset and kept;
//!   without it, the lowest `keep_resident_bytes` are.
//! - Fiber stacks are reused first too, and not zeroed: each stays resident down to the
//!   deepest call it served (at most its 2 MiB), and there are as many as executions were
//!   ever in flight at once. Zeroing them when freed (wasmtime's `async_stack_zeroing`)
//!   would release that, but the host's own frames on a trivial execution go past any
//!   cheap-to-`memset` top, so each execution would fault its stack pages in again and
//!   `madvise` them out: 4–5 µs more per execution, measured (docs/performance.md).
//!
//! A slot's table elements ([`TABLE_ELEMENTS`]) and instance metadata sizes are address
//! space or upper bounds: a table is resident only up to the elements its guest declares,
//! an instance's metadata is allocated at its real size.

use wasmtime::{Enabled, PoolingAllocationConfig};

use crate::config::WasmRuntimeConfig;

/// Core instances a component may hold at most (componentize-py guests link a dozen
/// modules: the interpreter, libc, the bindings runtime and adapters).
const CORE_INSTANCES_PER_COMPONENT: u32 = 32;
/// Linear memories and tables per component, pooled.
const MEMORIES_PER_COMPONENT: u32 = 4;
const TABLES_PER_COMPONENT: u32 = 8;
/// Function-table elements per table: CPython's indirect-call table has tens of thousands.
const TABLE_ELEMENTS: usize = 100_000;
/// Metadata sizes of one instance (VMContext); generous for large guests.
const CORE_INSTANCE_SIZE: usize = 1 << 20;
const COMPONENT_INSTANCE_SIZE: usize = 4 << 20;

/// The pooling allocator's configuration for `config`, with linear memories of at most
/// `max_memory` bytes.
pub(crate) fn pooling(config: &WasmRuntimeConfig, max_memory: usize) -> PoolingAllocationConfig {
    let instances = config.max_instances.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(instances)
        .total_core_instances(instances.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .total_memories(instances.saturating_mul(MEMORIES_PER_COMPONENT))
        .total_tables(instances.saturating_mul(TABLES_PER_COMPONENT))
        .total_stacks(instances)
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .max_tables_per_component(TABLES_PER_COMPONENT)
        .max_tables_per_module(TABLES_PER_COMPONENT)
        .table_elements(TABLE_ELEMENTS)
        .max_core_instance_size(CORE_INSTANCE_SIZE)
        .max_component_instance_size(COMPONENT_INSTANCE_SIZE)
        .max_memory_size(max_memory)
        .max_unused_warm_slots(config.warm_slots)
        .pagemap_scan(Enabled::Auto)
        .linear_memory_keep_resident(config.keep_resident_bytes)
        .table_keep_resident(config.keep_resident_bytes);
    pool
}

/// What the pool holds at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolUsage {
    /// Component instances alive (executions and sensor polls in flight).
    pub instances: u64,
    /// Linear memories in use.
    pub memories: usize,
    /// Unused memory slots kept warm.
    pub warm_memories: u32,
    /// Bytes the warm memory slots keep resident.
    pub warm_memory_bytes: usize,
    /// Unused table slots kept warm.
    pub warm_tables: u32,
    /// Bytes the warm table slots keep resident.
    pub warm_table_bytes: usize,
    /// Unused fiber stacks kept warm (each resident down to the deepest call it served).
    pub warm_stacks: u32,
}

impl PoolUsage {
    /// The pool of `engine` now (all zero for an engine without a pool).
    pub(crate) fn of(engine: &wasmtime::Engine) -> PoolUsage {
        let Some(pool) = engine.pooling_allocator_metrics() else { return PoolUsage::default() };
        PoolUsage {
            instances: pool.component_instances(),
            memories: pool.memories(),
            warm_memories: pool.unused_warm_memories(),
            warm_memory_bytes: pool.unused_memory_bytes_resident(),
            warm_tables: pool.unused_warm_tables(),
            warm_table_bytes: pool.unused_table_bytes_resident(),
            warm_stacks: pool.unused_warm_stacks(),
        }
    }
}
