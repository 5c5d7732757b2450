//! Every guest the tests run, in one place. Each is WAT source built on the shared prelude
//! (see `wat.rs`); the runtime componentizes it on the fly, as it does for packs.

use super::wat::{self, Strings};

/// Returns its parameters unchanged.
pub fn echo() -> String {
    wat::action(&Strings::default(), "", "(call $ok (local.get $params) (local.get $params_len))")
}

/// Returns `{"params": <params>, "token": "<secret token>"}` (token `null` when not granted):
/// what each of many concurrent executions must see of its own.
pub fn echo_with_secret() -> String {
    let mut s = Strings::default();
    let token = s.add("token");
    let open = s.add(r#"{"params":"#);
    let token_key = s.add(r#","token":""#);
    let close = s.add(r#""}"#);
    let null = s.add(r#","token":null}"#);
    let body = format!(
        r#"(call $out_start (i32.add (local.get $params_len) (i32.const 4096)))
        (call $out_push {open})
        (call $out_push (local.get $params) (local.get $params_len))
        (if (call $secret {token})
          (then
            (call $out_push {token_key})
            (call $out_push (i32.load (i32.const 36)) (i32.load (i32.const 40)))
            (call $out_push {close}))
          (else (call $out_push {null})))
        (call $ok_out)"#,
        open = open.args(),
        token = token.args(),
        token_key = token_key.args(),
        close = close.args(),
        null = null.args(),
    );
    wat::action(&s, "", &body)
}

/// Asks for the secret `not_granted` and returns whether it got it.
pub fn secret_thief() -> String {
    let mut s = Strings::default();
    let name = s.add("not_granted");
    let got = s.add(r#"{"got_secret":true}"#);
    let none = s.add(r#"{"got_secret":false}"#);
    let body = format!(
        "(if (result i32) (call $secret {name}) (then (call $ok {got})) (else (call $ok {none})))",
        name = name.args(),
        got = got.args(),
        none = none.args(),
    );
    wat::action(&s, "", &body)
}

/// Spins forever.
pub fn infinite_loop() -> String {
    wat::action(&Strings::default(), "", "(loop $forever (br $forever)) (unreachable)")
}

/// Logs "spinning", then spins forever.
pub fn announced_loop() -> String {
    let mut s = Strings::default();
    let text = s.add("spinning");
    let body = format!("(call $info {}) (loop $forever (br $forever)) (unreachable)", text.args());
    wat::action(&s, "", &body)
}

/// Grows its memory by 1 MiB at a time, forever.
pub fn memory_bomb() -> String {
    wat::action(&Strings::default(), "", "(loop $grow (drop (memory.grow (i32.const 16))) (br $grow)) (unreachable)")
}

/// Executes `unreachable`.
pub fn trap() -> String {
    wat::action(&Strings::default(), "", "(unreachable)")
}

/// Returns text that is not JSON.
pub fn invalid_json() -> String {
    let mut s = Strings::default();
    let text = s.add("this is not json");
    wat::action(&s, "", &format!("(call $ok {})", text.args()))
}

/// Returns `err("the action failed on purpose")`.
pub fn action_error() -> String {
    let mut s = Strings::default();
    let text = s.add("the action failed on purpose");
    wat::action(&s, "", &format!("(call $err {})", text.args()))
}

/// Writes `lines` lines of 1000 bytes to stdout and as many log lines, then returns `{}`.
pub fn chatterbox(lines: u32) -> String {
    let mut s = Strings::default();
    let line = s.add(&format!("{}\n", "x".repeat(999)));
    let empty = s.add("{}");
    let body = format!(
        r#"(local.set $i (i32.const 0))
        (loop $again
          (call $print {line})
          (call $info {line})
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const {lines}))))
        (call $ok {empty})"#,
        line = line.args(),
        empty = empty.args(),
    );
    wat::action(&s, "(local $i i32)", &body)
}

/// Logs "hello from the guest", prints "printed line" and returns `{}`.
pub fn greeter() -> String {
    let mut s = Strings::default();
    let hello = s.add("hello from the guest");
    let printed = s.add("printed line\n");
    let empty = s.add("{}");
    let body = format!(
        "(call $info {hello}) (call $print {printed}) (call $ok {empty})",
        hello = hello.args(),
        printed = printed.args(),
        empty = empty.args(),
    );
    wat::action(&s, "", &body)
}

/// Calls `kv.get("key")`: blocks as long as the datastore does, then returns `{}`.
pub fn kv_waiter() -> String {
    let mut s = Strings::default();
    let key = s.add("key");
    let empty = s.add("{}");
    let body =
        format!("(call $kv_get {key} (i32.const 80)) (call $ok {empty})", key = key.args(), empty = empty.args(),);
    wat::action(&s, "", &body)
}

/// Sleeps 60 seconds through `wasi:clocks` and `wasi:io/poll`, then returns `{}`.
pub fn sleeper() -> String {
    let mut s = Strings::default();
    let empty = s.add("{}");
    let body = format!("(call $block (call $subscribe_duration (i64.const 60000000000))) (call $ok {})", empty.args());
    wat::action(&s, "", &body)
}

/// Stores its parameters under kv `last`, reads them back and returns them; and returns the
/// pack configuration as `{"config": ..., "stored": ...}`.
pub fn kv_and_config() -> String {
    let mut s = Strings::default();
    let key = s.add("last");
    let open = s.add(r#"{"config":"#);
    let stored = s.add(r#","stored":"#);
    let close = s.add("}");
    let body = format!(
        r#"(call $kv_set {key} (local.get $params) (local.get $params_len) (i32.const 0) (i64.const 0) (i32.const 80))
        (if (i32.load8_u (i32.const 80)) (then unreachable))
        (call $kv_get {key} (i32.const 80))
        (if (i32.load8_u (i32.const 80)) (then unreachable))
        (if (i32.eqz (i32.load8_u (i32.const 84))) (then unreachable))
        (call $config_get_all (i32.const 96))
        (call $out_start (i32.add (i32.add (i32.load (i32.const 100)) (i32.load (i32.const 92))) (i32.const 64)))
        (call $out_push {open})
        (call $out_push (i32.load (i32.const 96)) (i32.load (i32.const 100)))
        (call $out_push {stored})
        (call $out_push (i32.load (i32.const 88)) (i32.load (i32.const 92)))
        (call $out_push {close})
        (call $ok_out)"#,
        key = key.args(),
        open = open.args(),
        stored = stored.args(),
        close = close.args(),
    );
    wat::action(&s, "", &body)
}

/// Stores `"v"` under kv `forever` with a time-to-live of `u64::MAX` seconds and returns
/// `{"refused": true}` when the datastore answers an error, `{"refused": false}` otherwise.
pub fn kv_forever() -> String {
    let mut s = Strings::default();
    let key = s.add("forever");
    let value = s.add("v");
    let refused = s.add(r#"{"refused":true}"#);
    let stored = s.add(r#"{"refused":false}"#);
    let body = format!(
        r#"(call $kv_set {key} {value} (i32.const 1) (i64.const -1) (i32.const 80))
        (if (result i32) (i32.load8_u (i32.const 80)) (then (call $ok {refused})) (else (call $ok {stored})))"#,
        key = key.args(),
        value = value.args(),
        refused = refused.args(),
        stored = stored.args(),
    );
    wat::action(&s, "", &body)
}

/// An action publishing `report.txt` (15 bytes, type guessed), `data.csv` (4 bytes, typed)
/// and the link `docs`, and trying `../escape`; returns whether the escape was refused.
pub fn publisher() -> String {
    let imports = r#"
  (import "attune:automation/artifacts@0.1.0" "publish-file"
    (func $publish_file (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "attune:automation/artifacts@0.1.0" "publish-link"
    (func $publish_link (param i32 i32 i32 i32 i32)))"#;
    let mut s = Strings::default();
    let report = s.add("report.txt");
    let report_text = s.add("hello artifacts");
    let csv = s.add("data.csv");
    let csv_type = s.add("text/csv");
    let csv_text = s.add("a,b\n");
    let docs = s.add("docs");
    let url = s.add("https://example.com/docs");
    let escape = s.add("../escape");
    let refused = s.add(r#"{"escape_refused":true}"#);
    let accepted = s.add(r#"{"escape_refused":false}"#);
    let body = format!(
        r#"(call $publish_file {report} (i32.const 0) (i32.const 0) (i32.const 0) {report_text} (i32.const 176))
        (call $publish_file {csv} (i32.const 1) {csv_type} {csv_text} (i32.const 176))
        (call $publish_link {docs} {url} (i32.const 176))
        (call $publish_file {escape} (i32.const 0) (i32.const 0) (i32.const 0) {report_text} (i32.const 176))
        (if (result i32) (i32.load8_u (i32.const 176)) (then (call $ok {refused})) (else (call $ok {accepted})))"#,
        report = report.args(),
        report_text = report_text.args(),
        csv = csv.args(),
        csv_type = csv_type.args(),
        csv_text = csv_text.args(),
        docs = docs.args(),
        url = url.args(),
        escape = escape.args(),
        refused = refused.args(),
        accepted = accepted.args(),
    );
    wat::action_importing(imports, &s, "", &body)
}

/// A sensor reporting one `tests.tick` event `{"poll": N}` per poll and storing N under kv
/// `last_poll`.
pub fn ticker() -> String {
    let mut s = Strings::default();
    let trigger = s.add("tests.tick");
    let open = s.add(r#"{"poll":"#);
    let close = s.add("}");
    let key = s.add("last_poll");
    let body = format!(
        r#"(local.set $event (call $alloc (i32.const 16)))
        (call $out_start (i32.const 64))
        (call $out_u64 (local.get $poll_count))
        (call $kv_set {key} (global.get $out) (global.get $out_len) (i32.const 0) (i64.const 0) (i32.const 80))
        (call $out_start (i32.const 64))
        (call $out_push {open})
        (call $out_u64 (local.get $poll_count))
        (call $out_push {close})
        (i32.store (local.get $event) (i32.const {trigger_ptr}))
        (i32.store offset=4 (local.get $event) (i32.const {trigger_len}))
        (i32.store offset=8 (local.get $event) (global.get $out))
        (i32.store offset=12 (local.get $event) (global.get $out_len))
        (call $ok (local.get $event) (i32.const 1))"#,
        key = key.args(),
        open = open.args(),
        close = close.args(),
        trigger_ptr = trigger.ptr,
        trigger_len = trigger.len,
    );
    wat::sensor(&s, "(local $event i32)", &body)
}

/// A sensor whose every poll fails with `err("upstream unavailable")`.
pub fn failing_sensor() -> String {
    let mut s = Strings::default();
    let text = s.add("upstream unavailable");
    wat::sensor(&s, "", &format!("(call $err {})", text.args()))
}
