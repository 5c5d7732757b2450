//! Guests that fail on their own, and components that cannot be set up.

use attune_runtime_api::{FailureKind, Runtime};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

async fn failure_of(wat: &str) -> attune_runtime_api::Failure {
    let sandbox = Sandbox::new();
    let request = request(&sandbox.guest("guest", wat), json!({}));
    let (io, _) = recorded_io();
    sandbox.runtime.execute(request, io).await.result.expect_err("the guest fails")
}

#[tokio::test]
async fn a_trap_is_reported_as_a_trap() {
    let failure = failure_of(&guests::trap()).await;
    assert_eq!(failure.kind, FailureKind::Trap, "{failure}");
    assert!(failure.message.contains("unreachable"), "{failure}");
}

#[tokio::test]
async fn text_that_is_not_json_is_invalid_output() {
    let failure = failure_of(&guests::invalid_json()).await;
    assert_eq!(failure.kind, FailureKind::InvalidOutput, "{failure}");
    assert!(failure.message.contains("this is not json"), "{failure}");
}

#[tokio::test]
async fn an_err_result_is_an_action_error_with_its_message() {
    let failure = failure_of(&guests::action_error()).await;
    assert_eq!(failure.kind, FailureKind::ActionError);
    assert_eq!(failure.message, "the action failed on purpose");
}

#[tokio::test]
async fn components_that_cannot_load_fail_setup() {
    let sandbox = Sandbox::new();
    let garbage = sandbox.dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm\x0d\x00\x01\x00garbage").unwrap();
    let cases = [
        (sandbox.dir.path().join("missing.wasm"), "cannot read entry point"),
        (garbage, "invalid component"),
        (sandbox.guest("bad", "(module (func"), "invalid WAT"),
        (sandbox.guest("sensor", &guests::ticker()), "action world"),
    ];
    for (entry_point, expected) in cases {
        let (io, _) = recorded_io();
        let outcome = sandbox.runtime.execute(request(&entry_point, json!({})), io).await;
        let failure = outcome.result.expect_err("cannot be set up");
        assert_eq!(failure.kind, FailureKind::SetupFailed, "{failure}");
        assert!(failure.message.contains(expected), "{expected}: {failure}");
    }
}
