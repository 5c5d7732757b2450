//! A guest gets exactly what its execution grants: secrets, pack config, datastore.

use std::sync::Arc;

use attune_runtime_api::{KvStore, MemoryKv, Runtime};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

#[tokio::test]
async fn granted_secrets_are_readable() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("echo", &guests::echo_with_secret()), json!({"n": 1}));
    request.secrets.insert("token".into(), "s3cr3t".into());
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"params": {"n": 1}, "token": "s3cr3t"})));
    assert!(outcome.denied_secrets.is_empty());
}

#[tokio::test]
async fn a_secret_not_granted_is_none_and_recorded() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("thief", &guests::secret_thief()), json!({}));
    // Granted something else: the name asked for is still refused.
    request.secrets.insert("token".into(), "s3cr3t".into());
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"got_secret": false})));
    assert_eq!(outcome.denied_secrets, ["not_granted"]);
}

#[tokio::test]
async fn a_time_to_live_past_any_date_is_refused_not_a_crash() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(MemoryKv::new());
    let mut request = request(&sandbox.guest("forever", &guests::kv_forever()), json!({}));
    request.kv = kv.clone();
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"refused": true})), "the guest is told, and carries on");
    assert_eq!(kv.get("forever").await.unwrap(), None, "nothing was stored");
}

#[tokio::test]
async fn the_datastore_and_pack_config_are_reachable() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(MemoryKv::new());
    let mut request = request(&sandbox.guest("kv", &guests::kv_and_config()), json!({"x": [1, 2]}));
    request.kv = kv.clone();
    request.pack_config = json!({"channel": "#ops", "retries": 3});
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"config": {"channel": "#ops", "retries": 3}, "stored": {"x": [1, 2]}})));
    assert_eq!(kv.get("last").await.unwrap().as_deref(), Some(r#"{"x":[1,2]}"#));
}
