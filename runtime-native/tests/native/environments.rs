//! Per-pack environments built from PyPI and npm: isolation between packs, rebuilds, repair
//! of broken environments, concurrent first use, and installation failures.

use attune_runtime_api::{FailureKind, OutputLine, Stream};
use serde_json::json;

use crate::support::{Fixture, TestPack, completed, run, runtime_of};

const SIX_VERSION: &str =
    "import json, six, sys\nprint(json.dumps({'six': six.__version__, 'python': sys.executable}))\n";

fn six_pack(fixture: &Fixture, name: &str, version: &str) -> (TestPack, std::path::PathBuf) {
    let pack = fixture.pack(name);
    pack.file("requirements.txt", &format!("six=={version}\n"));
    let script = pack.script("six_version.py", SIX_VERSION);
    (pack, script)
}

fn announcements(lines: &[OutputLine]) -> Vec<&str> {
    lines.iter().filter(|l| l.stream == Stream::Log && l.text.contains(" of pack `")).map(|l| l.text.as_str()).collect()
}

#[tokio::test]
async fn two_packs_pinning_different_versions_both_work() {
    let fixture = Fixture::new();
    let (old, old_script) = six_pack(&fixture, "six-old", "1.15.0");
    let (new, new_script) = six_pack(&fixture, "six-new", "1.16.0");
    let python = fixture.runtime("python");

    let (outcome, lines) = run(&python, old.request(&old_script, json!({}))).await;
    let result = completed(&outcome);
    assert_eq!(result["six"], json!("1.15.0"));
    let venv = fixture.envs_dir().join("six-old/python");
    assert_eq!(result["python"], json!(venv.join("bin/python").display().to_string()));
    assert!(
        lines.iter().any(|l| l.stream == Stream::Log && l.text.contains("Successfully installed six-1.15.0")),
        "pip's output reaches the execution's output"
    );

    let (outcome, _) = run(&python, new.request(&new_script, json!({}))).await;
    assert_eq!(completed(&outcome)["six"], json!("1.16.0"));

    // Built once: the second run of a pack reuses its environment.
    let (outcome, lines) = run(&python, old.request(&old_script, json!({}))).await;
    assert_eq!(completed(&outcome)["six"], json!("1.15.0"));
    assert_eq!(announcements(&lines), Vec::<&str>::new());
}

#[tokio::test]
async fn a_changed_requirements_file_or_a_broken_venv_is_rebuilt() {
    let fixture = Fixture::new();
    let (pack, script) = six_pack(&fixture, "evolving", "1.15.0");
    let python = fixture.runtime("python");
    let (outcome, _) = run(&python, pack.request(&script, json!({}))).await;
    assert_eq!(completed(&outcome)["six"], json!("1.15.0"));

    pack.file("requirements.txt", "six==1.16.0\n");
    let (outcome, lines) = run(&python, pack.request(&script, json!({}))).await;
    assert_eq!(completed(&outcome)["six"], json!("1.16.0"));
    assert!(announcements(&lines)[0].starts_with("rebuilding the python virtualenv of pack `evolving`"));

    // Break it: the interpreter link disappears (as when the base Python is removed).
    std::fs::remove_file(fixture.envs_dir().join("evolving/python/bin/python")).unwrap();
    let (outcome, lines) = run(&python, pack.request(&script, json!({}))).await;
    assert_eq!(completed(&outcome)["six"], json!("1.16.0"));
    assert!(announcements(&lines)[0].starts_with("rebuilding"), "{lines:?}");
}

#[tokio::test]
async fn simultaneous_first_use_builds_once() {
    let fixture = Fixture::new();
    let (pack, script) = six_pack(&fixture, "contended", "1.16.0");
    // Two executions in this worker, and one in a "second worker" that shares only the
    // directory (its in-process lock is its own, so only the file lock keeps them apart).
    let here = fixture.runtime("python");
    let other_worker = fixture.second_worker();
    let there = runtime_of(&other_worker, "python");
    let (a, b, c) = tokio::join!(
        run(&here, pack.request(&script, json!({}))),
        run(&here, pack.request(&script, json!({}))),
        run(&there, pack.request(&script, json!({}))),
    );
    let mut builds = 0;
    for (outcome, lines) in [a, b, c] {
        assert_eq!(completed(&outcome)["six"], json!("1.16.0"));
        builds += announcements(&lines).iter().filter(|text| text.starts_with("building")).count();
    }
    assert_eq!(builds, 1, "the environment was built more than once");
}

#[tokio::test]
async fn a_failed_installation_names_the_pack_and_pips_error() {
    let fixture = Fixture::new();
    let pack = fixture.pack("unresolvable");
    pack.file("requirements.txt", "attune-test-package-that-does-not-exist==0.0.1\n");
    let script = pack.script("a.py", "print('{}')\n");
    let (outcome, lines) = run(&fixture.runtime("python"), pack.request(&script, json!({}))).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::SetupFailed);
    assert!(
        failure.message.starts_with(
            "could not build the python virtualenv of pack `unresolvable`: pip install -r requirements.txt: exited with code 1: ERROR:"
        ),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("attune-test-package-that-does-not-exist"), "{}", failure.message);
    assert!(lines.iter().any(|l| l.level.as_deref() == Some("warn")), "pip's stderr is streamed");
}

#[tokio::test]
async fn cancellation_during_setup_ends_cancelled() {
    let fixture = Fixture::new();
    let (pack, script) = six_pack(&fixture, "cancelled-setup", "1.16.0");
    let live = crate::support::Live::new();
    live.io.cancel.cancel();
    let outcome = fixture.runtime("python").execute(pack.request(&script, json!({})), live.io.clone()).await;
    assert_eq!(outcome.result.unwrap_err().kind, FailureKind::Cancelled);
}

const IS_NUMBER_VERSION: &str = r#"const version = require("is-number/package.json").version;
const isNumber = require("is-number");
console.log(JSON.stringify({ version, check: isNumber("42"), node_path: process.env.NODE_PATH }));
"#;

#[tokio::test]
async fn node_packs_get_their_own_node_modules() {
    let fixture = Fixture::new();
    let node = fixture.runtime("node");
    let mut results = Vec::new();
    for (name, version) in [("isnum-six", "6.0.0"), ("isnum-seven", "7.0.0")] {
        let pack = fixture.pack(name);
        pack.file(
            "package.json",
            &format!(r#"{{"name": "{name}", "private": true, "dependencies": {{"is-number": "{version}"}}}}"#),
        );
        let script = pack.script("version.js", IS_NUMBER_VERSION);
        let (outcome, _) = run(&node, pack.request(&script, json!({}))).await;
        results.push(completed(&outcome).clone());
    }
    let modules = |pack: &str| fixture.envs_dir().join(pack).join("node/node_modules").display().to_string();
    assert_eq!(
        results,
        [
            json!({"version": "6.0.0", "check": true, "node_path": modules("isnum-six")}),
            json!({"version": "7.0.0", "check": true, "node_path": modules("isnum-seven")}),
        ]
    );
    assert!(!fixture.dir.path().join("packs/isnum-six/node_modules").exists(), "the pack directory stays clean");
}
