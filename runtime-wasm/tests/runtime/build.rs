//! The build API `attune pack build` uses: sources in, components out.

use attune_runtime_api::Runtime;
use attune_runtime_wasm::World;
use attune_runtime_wasm::build::{self, BuildError, SourceKind};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

#[tokio::test]
async fn wat_and_core_modules_build_into_runnable_components() {
    let sandbox = Sandbox::new();
    let wat = sandbox.guest("greeter", &guests::greeter());
    let core = sandbox.dir.path().join("greeter-core.wasm");
    std::fs::write(&core, wat::parse_file(&wat).unwrap()).unwrap();

    for (source, name) in [(&wat, "from-wat.wasm"), (&core, "from-core.wasm")] {
        let output = sandbox.dir.path().join(name);
        build::build_file(source, World::Action, &output).expect("builds");
        let component = std::fs::read(&output).unwrap();
        assert_eq!(SourceKind::of(&component), SourceKind::Component);

        let (io, _) = recorded_io();
        let outcome = sandbox.runtime.execute(request(&output, json!({})), io).await;
        assert_eq!(outcome.result, Ok(json!({})));
        assert_eq!(outcome.log.text, "[info] hello from the guest\n");
    }
}

#[test]
fn a_module_is_checked_against_the_world_it_is_built_for() {
    let error = build::component_from_source(guests::ticker().as_bytes(), World::Action)
        .expect_err("a sensor is not an action");
    assert!(matches!(error, BuildError::Componentize { world: "action", .. }), "{error}");
    build::component_from_source(guests::ticker().as_bytes(), World::Sensor).expect("a sensor");
}

#[test]
fn unknown_sources_are_refused() {
    let error = build::build_file(std::path::Path::new("action.js"), World::Action, std::path::Path::new("out.wasm"))
        .expect_err("not buildable");
    assert!(error.to_string().contains("expected a .wasm, .wat or .py file"), "{error}");
}
