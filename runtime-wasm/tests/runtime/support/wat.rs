//! Building WAT guests: a prelude of imports and helpers every fixture shares, and static
//! strings placed in memory.
//!
//! Memory layout of a fixture: return areas below 256, static strings from 1024, a bump heap
//! from 32 KiB (grown on demand; also what `cabi_realloc` hands the host).

use std::fmt::Write;

/// A static string in the guest's memory.
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub ptr: usize,
    pub len: usize,
}

impl Str {
    /// `ptr len` as WAT operands: `(i32.const ptr) (i32.const len)`.
    pub fn args(&self) -> String {
        format!("(i32.const {}) (i32.const {})", self.ptr, self.len)
    }
}

/// Static strings of one fixture.
#[derive(Default)]
pub struct Strings {
    next: usize,
    segments: String,
}

impl Strings {
    pub fn add(&mut self, text: &str) -> Str {
        let ptr = 1024 + self.next;
        let mut escaped = String::new();
        for byte in text.bytes() {
            write!(escaped, "\\{byte:02x}").unwrap();
        }
        writeln!(self.segments, "  (data (i32.const {ptr}) \"{escaped}\")").unwrap();
        self.next += text.len().next_multiple_of(8).max(8);
        assert!(1024 + self.next < 32768, "static strings overflow into the heap");
        Str { ptr, len: text.len() }
    }
}

/// Imports, memory, allocator and helpers. Return areas: `run`/`poll` result at 16,
/// `secrets.get` at 32, stdout writes at 64, kv at 80, `config.get-all` at 96, digits at 128.
const PRELUDE: &str = r#"
  (import "attune:automation/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (import "attune:automation/secrets@0.1.0" "get" (func $secret_get (param i32 i32 i32)))
  (import "attune:automation/config@0.1.0" "get-all" (func $config_get_all (param i32)))
  (import "attune:automation/kv@0.1.0" "get" (func $kv_get (param i32 i32 i32)))
  (import "attune:automation/kv@0.1.0" "set" (func $kv_set (param i32 i32 i32 i32 i32 i64 i32)))
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $stream_write (param i32 i32 i32 i32)))
  (import "wasi:clocks/monotonic-clock@0.2.12" "subscribe-duration"
    (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.12" "[method]pollable.block" (func $block (param i32)))

  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 32768))
  (global $out (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))
  (global $out_cap (mut i32) (i32.const 0))
  (global $stdout (mut i32) (i32.const -1))

  (func $alloc (param $size i32) (result i32)
    (local $ptr i32) (local $end i32) (local $have i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u
                (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
    (param $new_size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $new_size)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  ;; Result of `run`/`poll`: a result<string-like, string-like> at 16.
  (func $ok (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (local.get $ptr))
    (i32.store (i32.const 24) (local.get $len))
    (i32.const 16))
  (func $err (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 16) (i32.const 1))
    (i32.store (i32.const 20) (local.get $ptr))
    (i32.store (i32.const 24) (local.get $len))
    (i32.const 16))

  ;; An output buffer of fixed capacity, for building a result.
  (func $out_start (param $cap i32)
    (global.set $out (call $alloc (local.get $cap)))
    (global.set $out_len (i32.const 0))
    (global.set $out_cap (local.get $cap)))
  (func $out_push (param $ptr i32) (param $len i32)
    (if (i32.gt_u (i32.add (global.get $out_len) (local.get $len)) (global.get $out_cap))
      (then unreachable))
    (memory.copy (i32.add (global.get $out) (global.get $out_len)) (local.get $ptr) (local.get $len))
    (global.set $out_len (i32.add (global.get $out_len) (local.get $len))))
  (func $out_u64 (param $n i64)
    (local $at i32)
    (local.set $at (i32.const 160))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (call $out_push (local.get $at) (i32.sub (i32.const 160) (local.get $at))))
  (func $ok_out (result i32) (call $ok (global.get $out) (global.get $out_len)))

  ;; Helpers over the imports.
  (func $print (param $ptr i32) (param $len i32)
    (if (i32.lt_s (global.get $stdout) (i32.const 0))
      (then (global.set $stdout (call $get_stdout))))
    (call $stream_write (global.get $stdout) (local.get $ptr) (local.get $len) (i32.const 64)))
  (func $info (param $ptr i32) (param $len i32)
    (call $log (i32.const 2) (local.get $ptr) (local.get $len)))
  ;; 1 when the secret exists; its value is then at (36, 40).
  (func $secret (param $name i32) (param $len i32) (result i32)
    (call $secret_get (local.get $name) (local.get $len) (i32.const 32))
    (i32.load8_u (i32.const 32)))
"#;

/// The `run` export's parameters: the flattened `context` record, then `params`.
const RUN_PARAMS: &str = "(param $execution_id i64) (param $action_ref i32) (param $action_ref_len i32) \
    (param $pack_ref i32) (param $pack_ref_len i32) (param $attempt i32) \
    (param $has_rule i32) (param $rule i32) (param $rule_len i32) \
    (param $has_trigger i32) (param $trigger i32) (param $trigger_len i32) \
    (param $params i32) (param $params_len i32) (result i32)";

/// The `poll` export's parameters: the flattened `sensor-context`, then `config`.
const POLL_PARAMS: &str = "(param $sensor_ref i32) (param $sensor_ref_len i32) \
    (param $pack_ref i32) (param $pack_ref_len i32) (param $poll_count i64) \
    (param $config i32) (param $config_len i32) (result i32)";

/// An action module whose `run` has `body` (with `locals` declared first).
pub fn action(strings: &Strings, locals: &str, body: &str) -> String {
    format!("(module\n{PRELUDE}\n{}\n  (func (export \"run\") {RUN_PARAMS} {locals}\n{body})\n)", strings.segments)
}

/// An action module importing `imports` too (interfaces the sensor world lacks, which the
/// shared prelude therefore leaves out).
pub fn action_importing(imports: &str, strings: &Strings, locals: &str, body: &str) -> String {
    action(strings, locals, body).replacen("(module\n", &format!("(module\n{imports}\n"), 1)
}

/// A sensor module whose `poll` has `body`.
pub fn sensor(strings: &Strings, locals: &str, body: &str) -> String {
    format!("(module\n{PRELUDE}\n{}\n  (func (export \"poll\") {POLL_PARAMS} {locals}\n{body})\n)", strings.segments)
}
