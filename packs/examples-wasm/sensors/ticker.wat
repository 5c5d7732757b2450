;; examples-wasm.ticker: a sensor of the attune:automation/sensor world.
;;
;; `poll` receives the flattened `sensor-context` (sensor-ref, pack-ref, poll-count) and the
;; sensor's config as JSON text, and returns a pointer to a `result<list<event>, string>`
;; laid out as {tag: u8 @0, list pointer @4, list length @8}; each event is
;; {trigger pointer @0, trigger length @4, payload pointer @8, payload length @12}.
;; State that must outlive one poll goes to the datastore: here `kv.set("last_poll", n)`.
(module
  (import "attune:automation/kv@0.1.0" "set"
    (func $kv_set (param i32 i32 i32 i32 i32 i64 i32)))

  (memory (export "memory") 1)
  (data (i32.const 64) "examples-wasm.tick")
  (data (i32.const 96) "last_poll")
  (data (i32.const 112) "{\"poll\":")
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

  (func (export "poll")
    ;; sensor-context: sensor-ref, pack-ref, poll-count
    (param i32 i32 i32 i32) (param $poll_count i64)
    ;; config: JSON text
    (param i32 i32)
    (result i32)
    (local $n i64) (local $at i32) (local $digits i32) (local $payload i32) (local $event i32)
    ;; decimal digits of poll-count, backwards into 192..224
    (local.set $n (local.get $poll_count))
    (local.set $at (i32.const 224))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (local.set $digits (i32.sub (i32.const 224) (local.get $at)))

    ;; kv.set("last_poll", digits, none); its result (ignored here) goes to 32
    (call $kv_set (i32.const 96) (i32.const 9) (local.get $at) (local.get $digits)
      (i32.const 0) (i64.const 0) (i32.const 32))

    ;; payload {"poll":<n>}
    (local.set $payload (call $alloc (i32.const 32)))
    (memory.copy (local.get $payload) (i32.const 112) (i32.const 8))
    (memory.copy (i32.add (local.get $payload) (i32.const 8)) (local.get $at) (local.get $digits))
    (i32.store8 (i32.add (local.get $payload) (i32.add (i32.const 8) (local.get $digits)))
      (i32.const 125))

    ;; one event
    (local.set $event (call $alloc (i32.const 16)))
    (i32.store (local.get $event) (i32.const 64))
    (i32.store offset=4 (local.get $event) (i32.const 18))
    (i32.store offset=8 (local.get $event) (local.get $payload))
    (i32.store offset=12 (local.get $event) (i32.add (local.get $digits) (i32.const 9)))

    ;; ok([event])
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $event))
    (i32.store (i32.const 8) (i32.const 1))
    (i32.const 0))
)
