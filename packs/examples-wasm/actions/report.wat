;; examples-wasm.report: publishes its parameters as the artifact `parameters.json` of the
;; execution, then returns what it published.
;;
;; `artifacts.publish-file(name, media-type: option<string>, content: list<u8>)` takes the
;; name (pointer, length), the option flattened as (tag, pointer, length), the content
;; (pointer, length) and a return area where the host writes `result<_, string>` as
;; {tag: u8 @0, pointer @4, length @8}. A refused artifact (a name taken, past the
;; execution's limit) is an `err` the action may go on without; this one fails.
(module
  (import "attune:automation/artifacts@0.1.0" "publish-file"
    (func $publish_file (param i32 i32 i32 i32 i32 i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 64) "parameters.json")
  (data (i32.const 80) "application/json")
  (data (i32.const 128) "{\"published\":[\"parameters.json\"]}")
  (global $heap (mut i32) (i32.const 1024))

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
    (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (param $params i32) (param $params_len i32)
    (result i32)
    ;; publish-file("parameters.json", some("application/json"), params) -> result at 32
    (call $publish_file (i32.const 64) (i32.const 15) (i32.const 1) (i32.const 80) (i32.const 16)
      (local.get $params) (local.get $params_len) (i32.const 32))
    (if (i32.load8_u (i32.const 32))
      (then
        ;; err(message): hand the host's message back as the action's error.
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.load (i32.const 36)))
        (i32.store (i32.const 8) (i32.load (i32.const 40)))
        (return (i32.const 0))))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (i32.const 128))
    (i32.store (i32.const 8) (i32.const 33))
    (i32.const 0))
)
