;; examples-wasm.echo: returns its parameters unchanged.
;;
;; The smallest useful action of the attune:automation/action world, written by hand:
;; - `run` receives the flattened `context` record (12 values) and the parameters as JSON
;;   text (pointer, length), and returns a pointer to a `result<string, action-error>`
;;   laid out as {tag: u8 @0, pointer @4, length @8};
;; - `cabi_realloc` lets the host copy strings into this module's memory;
;; - `log` is imported from attune:automation/log; its line lands in the execution's output.
(module
  (import "attune:automation/log@0.1.0" "log" (func $log (param i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 64) "echoing the parameters")
  (global $heap (mut i32) (i32.const 1024))

  ;; A bump allocator: an execution is short-lived, memory is never freed.
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
    (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then unreachable))))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  (func (export "run")
    ;; context: execution-id, action-ref, pack-ref, attempt, rule-ref?, trigger-ref?
    (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    ;; params: JSON text
    (param $params i32) (param $params_len i32)
    (result i32)
    ;; log level 2 = info
    (call $log (i32.const 2) (i32.const 64) (i32.const 22))
    ;; ok(params)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $params))
    (i32.store (i32.const 8) (local.get $params_len))
    (i32.const 0))
)
