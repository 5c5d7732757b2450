//! The clean environment, and secrets kept out of `/proc/<pid>/environ` and `cmdline`.

use std::collections::BTreeSet;

use attune_runtime_api::{ExecutionRequest, FailureKind, OutputFormat};
use serde_json::json;

use crate::support::{Fixture, Live, MARKED_SLEEP, completed, host_pids, run};

const SECRET: &str = "hunter2-very-secret-value";
const SECRET_PARAMETER: &str = "p4ssw0rd-given-as-parameter";

/// The variables an action may see when every optional context field is set: no
/// credential among them.
const ALLOWED: [&str; 10] = [
    "ATTUNE_ACTION",
    "ATTUNE_API_URL",
    "ATTUNE_ARTIFACTS_DIR",
    "ATTUNE_EXEC_ID",
    "ATTUNE_PACK",
    "ATTUNE_RULE",
    "ATTUNE_TRIGGER",
    "HOME",
    "LANG",
    "PATH",
];

fn with_full_context(mut request: ExecutionRequest) -> ExecutionRequest {
    request.context.api_url = Some("http://127.0.0.1:8080".into());
    request.context.api_token = Some("execution-scoped-token".into());
    request.context.rule_ref = Some("iso.on_event".into());
    request.context.trigger_ref = Some("core.webhook".into());
    request.secrets.insert("db_password".into(), SECRET.into());
    request.parameters = json!({"password": SECRET_PARAMETER});
    request.output_format = OutputFormat::Text;
    request
}

fn variable_names(stdout: &str) -> BTreeSet<String> {
    stdout
        .split('\0')
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.split_once('=').map_or(entry, |(name, _)| name).to_owned())
        .collect()
}

#[tokio::test]
async fn every_language_gets_only_the_allowed_variables() {
    let fixture = Fixture::new();
    let pack = fixture.pack("iso");
    let scripts = [
        ("shell", pack.script("env.sh", "cat /proc/$$/environ\n")),
        ("python", pack.script("env.py", "import sys\nsys.stdout.write(open('/proc/self/environ').read())\n")),
        (
            "node",
            pack.script("env.js", "process.stdout.write(require('fs').readFileSync('/proc/self/environ', 'utf8'))\n"),
        ),
    ];
    let allowed: BTreeSet<String> = ALLOWED.iter().map(|s| s.to_string()).collect();
    for (runner, script) in scripts {
        let request = with_full_context(pack.request(&script, json!({})));
        let (outcome, _) = run(&fixture.runtime(runner), request).await;
        let environ = completed(&outcome)["stdout"].as_str().unwrap().to_owned();
        assert_eq!(variable_names(&environ), allowed, "{runner}");
        assert!(environ.contains("\0ATTUNE_EXEC_ID=42\0"), "{runner}: {environ:?}");
        assert!(environ.contains("\0LANG=C.UTF-8\0"), "{runner}");
        assert!(!environ.contains(SECRET) && !environ.contains(SECRET_PARAMETER), "{runner}");
    }
}

/// Each language reads its own `/proc/self/environ` and `cmdline` (and, for Python, those
/// of a child it starts) and reports whether a secret shows anywhere.
#[tokio::test]
async fn actions_find_no_secret_in_their_own_proc_entries() {
    let fixture = Fixture::new();
    let pack = fixture.pack("selfcheck");
    let shell = pack.script(
        "check.sh",
        r#"leaks=0
for f in /proc/$$/environ /proc/$$/cmdline; do
  if tr '\0' '\n' < "$f" | grep -qF -e "$SECRET_DB_PASSWORD" -e "$PARAM_PASSWORD"; then leaks=1; fi
done
sleep 30 & child=$!
for f in /proc/$child/environ /proc/$child/cmdline; do
  if tr '\0' '\n' < "$f" | grep -qF "$SECRET_DB_PASSWORD"; then leaks=1; fi
done
kill $child; wait
[ -n "$SECRET_DB_PASSWORD" ] && echo "leaks=$leaks"
"#,
    );
    let python = pack.script(
        "check.py",
        r#"import json, subprocess, sys
doc = json.load(sys.stdin)
needles = [doc["secrets"]["db_password"], doc["parameters"]["password"]]
seen = [open(f"/proc/self/{entry}", "rb").read().decode() for entry in ("environ", "cmdline")]
child = subprocess.run(["cat", "/proc/self/environ", "/proc/self/cmdline"], capture_output=True)
seen.append(child.stdout.decode())
print("leaks=%d" % any(n in s for n in needles for s in seen))
"#,
    );
    let node = pack.script(
        "check.js",
        r#"const fs = require("fs");
const doc = JSON.parse(fs.readFileSync(0, "utf8"));
const needles = [doc.secrets.db_password, doc.parameters.password];
const seen = ["environ", "cmdline"].map((e) => fs.readFileSync(`/proc/self/${e}`, "utf8"));
console.log(`leaks=${needles.some((n) => seen.some((s) => s.includes(n))) ? 1 : 0}`);
"#,
    );
    for (runner, script) in [("shell", shell), ("python", python), ("node", node)] {
        let request = with_full_context(pack.request(&script, json!({})));
        let (outcome, _) = run(&fixture.runtime(runner), request).await;
        assert_eq!(completed(&outcome)["stdout"], json!("leaks=0\n"), "{runner}");
    }
}

/// The test itself inspects the running action's `/proc` entries (and its child's), then
/// cancels it.
#[tokio::test]
async fn a_running_action_shows_no_secret_to_other_processes() {
    let fixture = Fixture::new();
    let pack = fixture.pack("observed");
    let script = pack.script("wait.sh", &format!("{MARKED_SLEEP}wait\n"));
    let mut request = with_full_context(pack.request(&script, json!({})));
    request.parameters["mark"] = json!(fixture.marker());
    let (mut live, execution) = Live::start(fixture.runtime("shell"), request);
    live.line_starting("started").await;
    let pids = [host_pids(&fixture.marker()), host_pids(&script.display().to_string())].concat();
    assert_eq!(pids.len(), 2, "{pids:?}");
    for pid in pids {
        for entry in ["environ", "cmdline"] {
            let bytes = std::fs::read(format!("/proc/{pid}/{entry}")).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(SECRET), "secret in /proc/{pid}/{entry}");
            assert!(!text.contains(SECRET_PARAMETER), "parameter in /proc/{pid}/{entry}");
        }
    }
    live.io.cancel.cancel();
    let outcome = execution.await.unwrap();
    assert_eq!(outcome.result.unwrap_err().kind, FailureKind::Cancelled);
}
