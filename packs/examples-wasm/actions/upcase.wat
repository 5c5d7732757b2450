;; examples-wasm.upcase: a JSON transform that upper-cases string values.
;;
;; The parameters arrive as JSON text in this module's memory; the transform rewrites that
;; buffer in place and returns it, so no allocation is needed. A string is a key when the
;; next non-blank character after its closing quote is ':'; keys and escape sequences are
;; copied unchanged (hex digits of \uXXXX may change case, which JSON allows).
(module
  (memory (export "memory") 1)
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

  ;; Is the string whose opening quote is at $at (in [$at, $end)) an object key?
  (func $is_key (param $at i32) (param $end i32) (result i32)
    (local $c i32)
    (local.set $at (i32.add (local.get $at) (i32.const 1)))
    (block $closed
      (loop $scan
        (br_if $closed (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $at)))
        (if (i32.eq (local.get $c) (i32.const 92)) ;; backslash: skip the escaped byte
          (then (local.set $at (i32.add (local.get $at) (i32.const 2))) (br $scan)))
        (br_if $closed (i32.eq (local.get $c) (i32.const 34)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    (local.set $at (i32.add (local.get $at) (i32.const 1)))
    (block $found
      (loop $blank
        (br_if $found (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $at)))
        (br_if $found (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32))
                                                 (i32.eq (local.get $c) (i32.const 9)))
                                        (i32.or (i32.eq (local.get $c) (i32.const 10))
                                                 (i32.eq (local.get $c) (i32.const 13))))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $blank)))
    (i32.and (i32.lt_u (local.get $at) (local.get $end))
             (i32.eq (i32.load8_u (local.get $at)) (i32.const 58))))

  (func (export "run")
    (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (param $params i32) (param $params_len i32)
    (result i32)
    (local $at i32) (local $end i32) (local $c i32)
    (local $in_string i32) (local $in_key i32) (local $escaped i32)
    (local.set $at (local.get $params))
    (local.set $end (i32.add (local.get $params) (local.get $params_len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $at)))
        (block $handled
          ;; outside strings only an opening quote matters
          (if (i32.eqz (local.get $in_string))
            (then
              (if (i32.eq (local.get $c) (i32.const 34))
                (then
                  (local.set $in_string (i32.const 1))
                  (local.set $in_key (call $is_key (local.get $at) (local.get $end)))))
              (br $handled)))
          ;; the byte after a backslash is kept as is
          (if (local.get $escaped)
            (then (local.set $escaped (i32.const 0)) (br $handled)))
          (if (i32.eq (local.get $c) (i32.const 92))
            (then (local.set $escaped (i32.const 1)) (br $handled)))
          ;; closing quote
          (if (i32.eq (local.get $c) (i32.const 34))
            (then (local.set $in_string (i32.const 0)) (br $handled)))
          ;; 'a'..'z' in a value: subtract 32
          (if (i32.and (i32.eqz (local.get $in_key))
                       (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 26)))
            (then (i32.store8 (local.get $at) (i32.sub (local.get $c) (i32.const 32))))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $params))
    (i32.store (i32.const 8) (local.get $params_len))
    (i32.const 0))
)
