//! Loading packs from disk: what is accepted, and that every problem names its file.

use crate::support::{sample_files, write_pack};
use attune_domain::status::{PolicyMethod, RunnerType};
use attune_packs::{PackError, load_pack};

fn problems(error: PackError) -> Vec<(String, String)> {
    error.problems().iter().map(|p| (p.file.clone(), p.message.clone())).collect()
}

#[test]
fn loads_a_valid_pack() {
    let root = tempfile::tempdir().unwrap();
    let loaded = load_pack(&write_pack(root.path(), "sample", &sample_files())).unwrap();
    let bundle = &loaded.bundle;
    assert_eq!(loaded.pack_ref(), "sample");
    assert_eq!(bundle.pack.as_ref().unwrap().config["channel"], "ops", "config defaults applied");
    let refs: Vec<&str> = bundle.actions.iter().map(|a| a.r#ref.as_str()).collect();
    assert_eq!(refs, ["sample.fetch", "sample.notify", "sample.flow"]);
    assert_eq!(bundle.actions[2].runner_type, RunnerType::Workflow);
    assert_eq!(bundle.workflows[0].definition["tasks"]["first"]["action"], "sample.notify");
    assert_eq!(bundle.rules[0].r#ref, "sample.on_alert", "ref taken from the file name");
    assert_eq!(bundle.policies[0].method, Some(PolicyMethod::Enqueue));
    assert_eq!(bundle.actions[0].limits, serde_json::json!({"fuel": 1000, "memory_mb": 16}));
    assert_eq!(loaded.file_of("rule", "sample.on_alert"), "rules/on_alert.yaml");
}

#[test]
fn the_shipped_packs_load() {
    let packs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs");
    for entry in std::fs::read_dir(&packs).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("pack.yaml").is_file() {
            load_pack(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
    }
    let core = load_pack(&packs.join("core")).unwrap();
    let triggers: Vec<&str> = core.bundle.triggers.iter().map(|t| t.r#ref.as_str()).collect();
    assert_eq!(triggers, ["core.crontimer", "core.datetimetimer", "core.intervaltimer", "core.webhook"]);
    assert!(core.bundle.pack.unwrap().is_standard);
}

#[test]
fn every_broken_file_is_named_with_its_problem() {
    let root = tempfile::tempdir().unwrap();
    let mut files = sample_files();
    files.extend([
        ("actions/typo.yaml", "name: typo\nrunner_type: shell\nentry_point: notify.sh\ntimout: 5\n"),
        ("actions/missing.yaml", "name: missing\nrunner_type: python\nentry_point: nowhere.py\n"),
        (
            "actions/badschema.yaml",
            "name: badschema\nrunner_type: shell\nentry_point: notify.sh\nparameters:\n  n: {type: integr}\n",
        ),
        ("triggers/badyaml.yaml", "name: [unclosed\n"),
        (
            "rules/badop.yaml",
            "trigger: sample.alert\naction: sample.notify\ncriteria:\n  trigger.x: {type: looks_like, pattern: 1}\n",
        ),
        ("policies/badpolicy.yaml", "action: sample.notify\ntype: rate_limit\nthreshold: 3\n"),
        ("workflows/badflow.yaml", "tasks:\n  a: {action: sample.notify, next: [{do: nowhere}]}\n"),
        ("actions/otherpack.yaml", "ref: other.thing\nrunner_type: shell\nentry_point: notify.sh\n"),
        ("actions/askcode.yaml", "name: askcode\nrunner_type: inquiry\nentry_point: notify.sh\n"),
        ("actions/askmore.yaml", "name: askmore\nrunner_type: inquiry\nparameters:\n  host: {type: string}\n"),
        ("policies/badbackoff.yaml", "action: sample.notify\ntype: retry\ncount: 2\nbackoff: random\n"),
        ("policies/fixedmax.yaml", "action: sample.notify\ntype: retry\ncount: 2\nmax_delay_s: 9\n"),
    ]);
    let dir = write_pack(root.path(), "sample", &files);
    let found = problems(load_pack(&dir).unwrap_err());
    let expect = [
        ("actions/typo.yaml", "unknown field `timout`"),
        ("actions/missing.yaml", "actions/nowhere.py does not exist"),
        ("actions/badschema.yaml", "parameter 'n'"),
        ("triggers/badyaml.yaml", "line 1"),
        ("rules/badop.yaml", "unknown operator 'looks_like'"),
        ("policies/badpolicy.yaml", "window_s is required"),
        ("workflows/badflow.yaml", "unknown task 'nowhere'"),
        ("actions/otherpack.yaml", "belongs to pack 'other'"),
        ("actions/askcode.yaml", "'entry_point' does not apply to inquiry actions"),
        ("actions/askmore.yaml", "parameters.host: an inquiry action takes only prompt"),
        ("policies/badbackoff.yaml", "backoff must be fixed or exponential"),
        ("policies/fixedmax.yaml", "max_delay_s applies to exponential backoff only"),
    ];
    for (file, fragment) in expect {
        assert!(
            found.iter().any(|(f, m)| f == file && m.contains(fragment)),
            "expected a problem in {file} containing {fragment:?}; found {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn pack_yaml_problems_stop_the_load() {
    let root = tempfile::tempdir().unwrap();
    let cases = [
        ("ref: Bad Name\nversion: 1.0.0\n", "ref:"),
        ("ref: ok\nversion: one\n", "not a semantic version"),
        ("ref: ok\nversion: 1.0.0\nconfig_schema: {n: {type: integer}}\nconfig: {n: x}\n", "config: n:"),
    ];
    for (i, (manifest, fragment)) in cases.into_iter().enumerate() {
        let dir = write_pack(root.path(), &format!("p{i}"), &[("pack.yaml", manifest)]);
        let found = problems(load_pack(&dir).unwrap_err());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "pack.yaml");
        assert!(found[0].1.contains(fragment), "{manifest}: {found:?}");
    }
    let empty = root.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(problems(load_pack(&empty).unwrap_err())[0].1.contains("needs a pack.yaml"));
}

#[test]
fn duplicate_refs_are_reported() {
    let root = tempfile::tempdir().unwrap();
    let mut files = sample_files();
    files.push(("actions/again.yaml", "ref: sample.notify\nrunner_type: shell\nentry_point: notify.sh\n"));
    let found = problems(load_pack(&write_pack(root.path(), "sample", &files)).unwrap_err());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("declared by another file"), "{found:?}");
}

#[test]
fn a_wasm_entry_point_must_be_webassembly() {
    let root = tempfile::tempdir().unwrap();
    let dir = write_pack(
        root.path(),
        "w",
        &[
            ("pack.yaml", "ref: w\nversion: 0.1.0\n"),
            ("actions/x.yaml", "runner_type: wasm\nentry_point: x.wasm\n"),
            ("actions/x.wasm", "not wasm"),
        ],
    );
    let found = problems(load_pack(&dir).unwrap_err());
    assert!(found[0].1.contains("not a WebAssembly binary"), "{found:?}");
}
