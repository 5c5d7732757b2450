//! Hostile native actions against the real server: a Python and a shell action try what an
//! attacker holding only the right to run actions would try next — read the data
//! directory, the database, the encryption key, the server's environment; signal the
//! server; plant a compiled component; read another running execution's environment and
//! stdin; find a credential in their own environment — and every attempt fails. A fork
//! bomb, a memory hog and a full temporary directory end their own executions (with the
//! limit named) while another execution, holding a secret, runs alongside and completes
//! untouched.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, attune, own_packs_dir};

const PASSWORD: &str = "sandbox-e2e-password";
const VICTIM_SECRET: &str = "victim-secret-9f86d081884c7d659a2f";

/// Each attempt prints `<name> denied` or `<name> SUCCEEDED`, then what it can see.
const ATTACK_SH: &str = r#"attempt() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "$name SUCCEEDED"; else echo "$name denied"; fi; }
attempt list_data_dir ls "$PARAM_DATA_DIR"
attempt read_database head -c 16 "$PARAM_DATA_DIR/attune.db"
attempt read_encryption_key cat "$PARAM_DATA_DIR/encryption_key"
attempt read_server_environ cat "/proc/$PARAM_SERVER_PID/environ"
attempt signal_server kill -TERM "$PARAM_SERVER_PID"
attempt plant_cache_artifact sh -c "echo x > '$PARAM_DATA_DIR/cache/wasm/planted.cwasm'"
attempt read_victim_environ cat "/proc/$PARAM_VICTIM_PID/environ"
attempt read_victim_stdin cat "/proc/$PARAM_VICTIM_PID/fd/0"
attempt write_own_pack sh -c 'echo x > planted'
attempt read_other_packs ls "$PARAM_PACKS_DIR/core"
attempt become_root sh -c 'test "$(id -u)" = 0'
attempt see_other_executions sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " " | grep -q "victim[.]py"'
attempt see_the_server sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " " | grep -q "attune[ ]server"'
echo "processes $(ls /proc | grep -E '^[0-9]+$' | tr '\n' ' ')"
echo "credential_variables $(env | cut -d= -f1 | grep -iE 'token|secret|password|key' | tr '\n' ' ')"
"#;

const ATTACK_PY: &str = r#"import json, os, signal, sys
p = json.load(sys.stdin)["parameters"]
data, server, victim = p["data_dir"], p["server_pid"], p["victim_pid"]
def attempt(name, do):
    try:
        do()
        print(name, "SUCCEEDED")
    except Exception:
        print(name, "denied")
attempt("list_data_dir", lambda: os.listdir(data))
attempt("read_database", lambda: open(data + "/attune.db", "rb").read(16))
attempt("read_encryption_key", lambda: open(data + "/encryption_key", "rb").read())
attempt("read_server_environ", lambda: open("/proc/%d/environ" % server, "rb").read())
attempt("signal_server", lambda: os.kill(server, signal.SIGTERM))
attempt("plant_cache_artifact", lambda: open(data + "/cache/wasm/planted.cwasm", "wb").write(b"x"))
attempt("read_victim_environ", lambda: open("/proc/%d/environ" % victim, "rb").read())
attempt("read_victim_stdin", lambda: open("/proc/%d/fd/0" % victim, "rb").read())
attempt("write_own_pack", lambda: open("planted", "w").write("x"))
attempt("read_other_packs", lambda: os.listdir(p["packs_dir"] + "/core"))
attempt("become_root", lambda: os.setuid(0))
def find(text):
    for pid in (d for d in os.listdir("/proc") if d.isdigit()):
        if text in open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" "):
            return
    raise LookupError(text)
attempt("see_other_executions", lambda: find(b"victim.py"))
attempt("see_the_server", lambda: find(b"attune server"))
print("processes", " ".join(d for d in os.listdir("/proc") if d.isdigit()))
words = ("TOKEN", "SECRET", "PASSWORD", "KEY")
print("credential_variables", " ".join(k for k in os.environ if any(w in k.upper() for w in words)))
"#;

/// Holds a secret and waits for the test to let it finish.
const VICTIM_PY: &str = r#"import json, sys, time
p = json.load(sys.stdin)["parameters"]
time.sleep(p["seconds"])
print(json.dumps({"finished": True, "secret_length": len(p["password"])}))
"#;

/// The classic bomb, its first shell staying (one that returns at once is stopped with the
/// rest of its tree when it does).
const FORK_BOMB: &str = ":(){ :|:& };:\nsleep 60\n";
const MEMORY_HOG: &str = "hog = []\nwhile True:\n    hog.append(bytearray(4 << 20))\n";
const FILL_TMP: &str = r#"if out=$(dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1); then echo filled
else case "$out" in *"No space left on device"*) echo "refused: No space left on device";; *) echo "failed: $out";; esac
fi
"#;

fn write_pack(dir: &Path) {
    let files = [
        ("pack.yaml", "ref: probe\nversion: 1.0.0\n".to_owned()),
        ("actions/attack.sh", ATTACK_SH.to_owned()),
        ("actions/attack.py", ATTACK_PY.to_owned()),
        ("actions/victim.py", VICTIM_PY.to_owned()),
        ("actions/bomb.sh", FORK_BOMB.to_owned()),
        ("actions/hog.py", MEMORY_HOG.to_owned()),
        ("actions/fill.sh", FILL_TMP.to_owned()),
    ];
    let attack_parameters = "parameters:\n  data_dir: {type: string}\n  packs_dir: {type: string}\n  \
                             server_pid: {type: integer}\n  victim_pid: {type: integer}\n";
    let metadata = [
        ("attack_sh", format!("runner_type: shell\nentry_point: attack.sh\noutput_format: text\n{attack_parameters}")),
        ("attack_py", format!("runner_type: python\nentry_point: attack.py\noutput_format: text\n{attack_parameters}")),
        (
            "victim",
            "runner_type: python\nentry_point: victim.py\nparameters:\n  seconds: {type: number}\n  \
             password: {type: string, secret: true}\n"
                .to_owned(),
        ),
        ("bomb", "runner_type: shell\nentry_point: bomb.sh\ntimeout: 60\nlimits: {processes: 64}\n".to_owned()),
        ("hog", "runner_type: python\nentry_point: hog.py\ntimeout: 60\nlimits: {memory_mb: 64}\n".to_owned()),
        ("fill", "runner_type: shell\nentry_point: fill.sh\noutput_format: text\nlimits: {tmp_mb: 8}\n".to_owned()),
    ];
    for (path, contents) in files
        .iter()
        .map(|(p, c)| (p.to_string(), c.clone()))
        .chain(metadata.iter().map(|(name, yaml)| (format!("actions/{name}.yaml"), yaml.clone())))
    {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
    }
    // A root server's actions run as another user: the pack must be readable by it.
    for entry in [dir.to_path_buf(), dir.join("actions")] {
        std::fs::set_permissions(entry, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[tokio::test]
async fn hostile_native_actions_harm_only_themselves() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("data");
    let mut command = attune(&data_dir);
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;
    let server_pid = server.pid();

    let (_, health) = server.call("GET", "/health", None, None).await;
    assert_eq!(health["sandbox"]["status"], "on", "{health}");
    assert!(health["sandbox"]["landlock_abi"].as_u64().unwrap() >= 1, "{health}");
    let environ = std::fs::read(format!("/proc/{server_pid}/environ")).unwrap();
    assert!(!String::from_utf8_lossy(&environ).contains("ATTUNE_ADMIN_PASSWORD"), "the server forgot its secrets");

    let pack = packs.join("probe");
    write_pack(&pack);
    let (status, registered) =
        server.call("POST", "/api/v1/packs/register", Some(&token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 200, "{registered}");
    let run = async |action: &str, parameters: Value| {
        let body = json!({"parameters": parameters});
        let (status, created) =
            server.call("POST", &format!("/api/v1/actions/probe.{action}/execute"), Some(&token), Some(body)).await;
        assert_eq!(status, 201, "{created}");
        created["data"]["id"].as_i64().unwrap()
    };

    let victim = run("victim", json!({"seconds": 12, "password": VICTIM_SECRET})).await;
    let victim_pid = wait_for_process(&pack.join("actions/victim.py")).await;
    let targets = json!({
        "data_dir": data_dir, "packs_dir": crate::support::repo().join("packs"),
        "server_pid": server_pid, "victim_pid": victim_pid,
    });
    let attacks = [run("attack_sh", targets.clone()).await, run("attack_py", targets).await];
    let bomb = run("bomb", json!({})).await;
    let hog = run("hog", json!({})).await;
    let fill = run("fill", json!({})).await;

    for attack in attacks {
        let ended = server.finished(&token, attack).await;
        assert_eq!(ended["status"], "completed", "{ended}");
        let report = ended["result"]["stdout"].as_str().unwrap();
        for line in report.lines().filter(|line| !line.starts_with("processes") && !line.starts_with("credential")) {
            assert!(line.ends_with(" denied"), "attack {attack}: {line}\n{report}");
        }
        assert_eq!(report.lines().filter(|line| line.ends_with(" denied")).count(), 13, "{report}");
        let visible = words_after(report, "processes ");
        assert!(visible.contains(&"1".to_owned()), "its own PID namespace: {visible:?}");
        assert!(!visible.contains(&victim_pid.to_string()) && !visible.contains(&server_pid.to_string()));
        assert_eq!(words_after(report, "credential_variables "), Vec::<String>::new(), "{report}");
    }
    let failure = |ended: &Value| ended["result"]["error"]["kind"].as_str().unwrap_or_default().to_owned();
    let bombed = server.finished(&token, bomb).await;
    assert_eq!((bombed["status"].as_str(), failure(&bombed).as_str()), (Some("failed"), "process_limit"), "{bombed}");
    let hogged = server.finished(&token, hog).await;
    assert_eq!((hogged["status"].as_str(), failure(&hogged).as_str()), (Some("failed"), "memory_limit"), "{hogged}");
    let filled = server.finished(&token, fill).await;
    let out = filled["result"]["stdout"].as_str().unwrap_or_default();
    assert!(out.starts_with("refused:") && out.contains("No space left on device"), "{filled}");

    let (_, during) = server.call("GET", &format!("/api/v1/executions/{victim}"), Some(&token), None).await;
    assert_eq!(during["data"]["status"], "running", "the victim ran through every attack");
    assert!(!data_dir.join("cache/wasm/planted.cwasm").exists());
    assert!(!pack.join("actions/planted").exists() && !pack.join("planted").exists());
    let survived = server.finished(&token, victim).await;
    assert_eq!(survived["status"], "completed", "{survived}");
    assert_eq!(survived["result"], json!({"finished": true, "secret_length": VICTIM_SECRET.len()}));
    let (status, _) = server.call("GET", "/health", None, None).await;
    assert_eq!(status, 200, "the server is untouched");
}

/// The host pid of the process running `script`, once it runs.
async fn wait_for_process(script: &Path) -> u32 {
    let needle = script.display().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = std::fs::read_dir("/proc").unwrap().flatten().find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let program = cmdline.split(|&b| b == 0).next().unwrap_or_default();
            let runs_it = !program.ends_with(b"attune-sandbox") && String::from_utf8_lossy(&cmdline).contains(&needle);
            runs_it.then_some(pid)
        });
        if let Some(pid) = found {
            return pid;
        }
        assert!(Instant::now() < deadline, "{needle} never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn words_after(report: &str, prefix: &str) -> Vec<String> {
    report
        .lines()
        .find_map(|line| line.strip_prefix(prefix.trim_end()))
        .map(|rest| rest.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}
