//! Interpreters that are missing, and packs without an environment of their own.

use attune_runtime_api::{FailureKind, OutputFormat};
use serde_json::json;

use crate::support::{Fixture, completed, run};

#[tokio::test]
async fn a_missing_interpreter_is_a_setup_failure_naming_it() {
    let fixture = Fixture::with_config(|config| {
        config.interpreters.python3 = "python3-not-installed-here".into();
        config.interpreters.node = "/opt/nowhere/bin/node".into();
        config.interpreters.bash = "bash-missing".into();
    });
    let pack = fixture.pack("nointerp");
    let cases = [
        (
            "python",
            pack.script("a.py", "print('{}')\n"),
            "python3 interpreter `python3-not-installed-here` was not found on the worker's PATH; install it or set interpreters.python3",
        ),
        (
            "node",
            pack.script("a.js", "console.log('{}')\n"),
            "node interpreter `/opt/nowhere/bin/node` was not found; install it or set interpreters.node",
        ),
        (
            "shell",
            pack.script("a.sh", "echo '{}'\n"),
            "bash interpreter `bash-missing` was not found on the worker's PATH",
        ),
    ];
    for (runner, script, expected) in cases {
        let (outcome, _) = run(&fixture.runtime(runner), pack.request(&script, json!({}))).await;
        let failure = outcome.result.unwrap_err();
        assert_eq!(failure.kind, FailureKind::SetupFailed, "{runner}");
        assert!(failure.message.starts_with(expected), "{runner}: {}", failure.message);
    }
}

#[tokio::test]
async fn a_missing_npm_only_matters_to_packs_with_a_package_json() {
    let fixture = Fixture::with_config(|config| config.interpreters.npm = "npm-missing".into());
    let plain = fixture.pack("plain");
    let script = plain.script("a.js", "console.log(JSON.stringify({ok: true}))\n");
    let (outcome, _) = run(&fixture.runtime("node"), plain.request(&script, json!({}))).await;
    assert_eq!(completed(&outcome), &json!({"ok": true}));

    let with_deps = fixture.pack("withdeps");
    with_deps.file("package.json", r#"{"name": "withdeps", "private": true, "dependencies": {"is-number": "7.0.0"}}"#);
    let script = with_deps.script("a.js", "console.log('{}')\n");
    let (outcome, _) = run(&fixture.runtime("node"), with_deps.request(&script, json!({}))).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::SetupFailed);
    assert!(failure.message.starts_with("npm interpreter `npm-missing` was not found"), "{}", failure.message);
}

#[tokio::test]
async fn packs_without_requirements_run_on_the_system_interpreter() {
    let fixture = Fixture::new();
    let pack = fixture.pack("sysonly");
    let script = pack.script(
        "where.py",
        "import json, sys\nprint(json.dumps({'venv': sys.prefix != sys.base_prefix, 'usersite': sys.flags.no_user_site}))\n",
    );
    let mut request = pack.request(&script, json!({}));
    request.output_format = OutputFormat::Json;
    let (outcome, _) = run(&fixture.runtime("python"), request).await;
    assert_eq!(completed(&outcome), &json!({"venv": false, "usersite": 1}));
    assert!(!fixture.envs_dir().join("sysonly").exists(), "no environment is built");
}
