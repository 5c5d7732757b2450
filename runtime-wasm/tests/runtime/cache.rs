//! Components are compiled once per cache directory, across runtime instances.

use attune_runtime_api::Runtime;
use attune_runtime_wasm::ComponentStats;
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request, runtime_on};

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
