//! Components are compiled once per cache directory, across runtime instances.

use attune_runtime_api::Runtime;
use attune_runtime_wasm::ComponentStats;
use serde_json::json;

use attune_runtime_wasm::CacheKey;

use crate::support::{Sandbox, guests, recorded_io, request, runtime_on, runtime_sealing_with};

#[tokio::test]
async fn a_restarted_runtime_loads_compiled_components_from_the_cache() {
    let sandbox = Sandbox::new();
    let cache = sandbox.dir.path().join("cache");
    let echo = sandbox.guest("echo", &guests::echo());

    let (io, _) = recorded_io();
    let first = sandbox.runtime.execute(request(&echo, json!({"run": 1})), io).await;
    assert_eq!(first.result, Ok(json!({"run": 1})));
    assert_eq!(sandbox.runtime.stats(), ComponentStats { compiled: 1, loaded_from_disk: 0 });
    let (io, _) = recorded_io();
    sandbox.runtime.execute(request(&echo, json!({"run": 2})), io).await;
    assert_eq!(sandbox.runtime.stats().compiled, 1, "kept in memory");

    // A new engine and runtime on the same directory: what a server restart does.
    let restarted = runtime_on(&cache);
    let (io, _) = recorded_io();
    let again = restarted.execute(request(&echo, json!({"run": 3})), io).await;
    assert_eq!(again.result, Ok(json!({"run": 3})));
    assert_eq!(
        restarted.stats(),
        ComponentStats { compiled: 0, loaded_from_disk: 1 },
        "no recompilation after a restart"
    );
}

#[tokio::test]
async fn a_damaged_cache_file_is_recompiled() {
    let sandbox = Sandbox::new();
    let cache = sandbox.dir.path().join("cache");
    let echo = sandbox.guest("echo", &guests::echo());
    sandbox.runtime.prepare(&echo, attune_runtime_wasm::World::Action).await.unwrap();

    for entry in walk(&cache) {
        if entry.extension().is_some_and(|e| e == "cwasm") {
            let mut bytes = std::fs::read(&entry).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
            std::fs::write(&entry, bytes).unwrap();
        }
    }
    let restarted = runtime_on(&cache);
    let (io, _) = recorded_io();
    let outcome = restarted.execute(request(&echo, json!({"ok": true})), io).await;
    assert_eq!(outcome.result, Ok(json!({"ok": true})));
    assert_eq!(restarted.stats(), ComponentStats { compiled: 1, loaded_from_disk: 0 });
}

/// Someone who can write the cache directory but does not hold the server's secret plants
/// an artifact (here: a genuine compiled component, sealed with another key, under the name
/// of the one the server will look for). It is discarded and the component compiled again:
/// a planted artifact is never mapped as code.
#[tokio::test]
async fn an_artifact_sealed_without_the_servers_key_is_never_loaded() {
    let sandbox = Sandbox::new();
    let cache = sandbox.dir.path().join("cache");
    let echo = sandbox.guest("echo", &guests::echo());
    let attacker = runtime_sealing_with(&cache, CacheKey::derived_from(b"not the server's secret"));
    attacker.prepare(&echo, attune_runtime_wasm::World::Action).await.unwrap();
    assert_eq!(attacker.stats().compiled, 1);

    let server = runtime_on(&cache);
    let (io, _) = recorded_io();
    let outcome = server.execute(request(&echo, json!({"ok": true})), io).await;
    assert_eq!(outcome.result, Ok(json!({"ok": true})));
    assert_eq!(server.stats(), ComponentStats { compiled: 1, loaded_from_disk: 0 }, "the planted file was not used");
    let (io, _) = recorded_io();
    let restarted = runtime_on(&cache);
    restarted.execute(request(&echo, json!({})), io).await;
    assert_eq!(restarted.stats().loaded_from_disk, 1, "the server's own artifact replaced it");
}

#[tokio::test]
async fn the_same_component_at_two_paths_is_compiled_once() {
    let sandbox = Sandbox::new();
    let one = sandbox.guest("one", &guests::echo());
    let two = sandbox.guest("two", &guests::echo());
    for entry_point in [&one, &two] {
        let (io, _) = recorded_io();
        let outcome = sandbox.runtime.execute(request(entry_point, json!([1])), io).await;
        assert_eq!(outcome.result, Ok(json!([1])));
    }
    assert_eq!(sandbox.runtime.stats().compiled, 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
