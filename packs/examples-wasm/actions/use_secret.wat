;; examples-wasm.use_secret: reads the granted `api_token` secret.
;;
;; `secrets.get(name) -> option<string>` takes the name (pointer, length) and a return area
;; where the host writes {tag: u8 @0, pointer @4, length @8}, copying the value into this
;; module's memory with `cabi_realloc`. Names the action does not list in `secrets:` get
;; `none` (and are recorded as denied). The result reports the token's length only: a
;; secret never belongs in a result or a log line.
(module
  (import "attune:automation/secrets@0.1.0" "get" (func $secret_get (param i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 64) "api_token")
  (data (i32.const 80) "{\"authenticated\":true,\"token_length\":")
  (data (i32.const 128) "the api_token secret is not set")
  (global $heap (mut i32) (i32.const 1024))

  (func $alloc (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then unreachable))))
    (local.get $ptr))

  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
    (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $size)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  (func (export "run")
    (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (param $params i32) (param $params_len i32)
    (result i32)
    (local $out i32) (local $len i32) (local $n i32) (local $digits i32) (local $at i32)
    (call $secret_get (i32.const 64) (i32.const 9) (i32.const 32))
    (if (i32.eqz (i32.load8_u (i32.const 32)))
      (then
        ;; err({message})
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 128))
        (i32.store (i32.const 8) (i32.const 31))
        (return (i32.const 0))))
    ;; {"authenticated":true,"token_length":<n>}
    (local.set $n (i32.load (i32.const 40)))
    (local.set $out (call $alloc (i32.const 64)))
    (memory.copy (local.get $out) (i32.const 80) (i32.const 37))
    ;; digits of n, written backwards into a scratch area at 192..208, then copied
    (local.set $at (i32.const 208))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (local.set $digits (i32.sub (i32.const 208) (local.get $at)))
    (memory.copy (i32.add (local.get $out) (i32.const 37)) (local.get $at) (local.get $digits))
    (local.set $len (i32.add (i32.const 37) (local.get $digits)))
    (i32.store8 (i32.add (local.get $out) (local.get $len)) (i32.const 125)) ;; '}'
    (local.set $len (i32.add (local.get $len) (i32.const 1)))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $out))
    (i32.store (i32.const 8) (local.get $len))
    (i32.const 0))
)
