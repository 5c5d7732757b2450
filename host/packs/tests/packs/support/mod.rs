//! Builds pack directories for tests.

use std::path::{Path, PathBuf};

/// A pack directory written from `(relative path, content)` pairs.
pub fn write_pack(root: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join(name);
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// A small valid pack: one trigger, two actions, a rule, a policy and a workflow (seven
/// components: the workflow is a definition and an action).
pub fn sample_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "pack.yaml",
            "ref: sample\nversion: 1.2.3\nlabel: Sample\nconfig_schema:\n  channel: {type: string, default: ops}\n",
        ),
        ("triggers/alert.yaml", "name: alert\nparameters:\n  level: {type: string}\npayload_schema: {type: object}\n"),
        (
            "actions/notify.yaml",
            "name: notify\nrunner_type: shell\nentry_point: notify.sh\nparameters:\n  text: {type: string, required: true}\n  token: {type: string, secret: true}\nsecrets: [slack_token]\n",
        ),
        ("actions/notify.sh", "#!/bin/sh\necho hi\n"),
        (
            "actions/fetch.yaml",
            "ref: sample.fetch\nrunner_type: wasm\nentry_point: fetch.wat\nlimits: {fuel: 1000, memory_mb: 16}\nallowed_hosts: [api.example.com]\n",
        ),
        ("actions/fetch.wat", "(module)\n"),
        (
            "rules/on_alert.yaml",
            "trigger: sample.alert\ntrigger_parameters: {level: error}\ncriteria:\n  trigger.body.level: {type: equals, pattern: error}\naction: sample.notify\nparameters:\n  text: \"{{ event.payload.body.service }} failed\"\n",
        ),
        ("policies/one_at_a_time.yaml", "action: sample.notify\ntype: concurrency\nthreshold: 1\n"),
        (
            "workflows/flow.yaml",
            "parameters:\n  who: {type: string, default: you}\ntasks:\n  first:\n    action: sample.notify\n    input: {text: \"hi {{ input.who }}\"}\n    next: [{when: \"{{ succeeded() }}\", do: second}]\n  second: {action: sample.fetch}\n",
        ),
    ]
}
