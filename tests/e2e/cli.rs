//! The `attune` client commands against a real `attune server`: log in (a wrong password
//! first), run actions and follow them, cancel, re-run, answer a workflow's approval and
//! show its graph, keys, rules, webhooks; and the exit code of each kind of failure.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Server, attune};

const PASSWORD: &str = "cli-e2e-password";

/// The client, with its own profile file and nothing of the test's environment.
struct Cli {
    config: PathBuf,
}

/// What one command did.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

impl Cli {
    fn new(dir: &Path) -> Self {
        Self { config: dir.join("profiles").join("client.yaml") }
    }

    fn run_with(&self, args: &[&str], stdin: &str) -> Ran {
        let mut command = Command::new(env!("CARGO_BIN_EXE_attune"));
        for (name, _) in std::env::vars() {
            if name.starts_with("ATTUNE") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .env("ATTUNE_CLIENT_CONFIG", &self.config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Ran {
        self.run_with(args, "")
    }

    /// Runs a command that must succeed.
    fn ok(&self, args: &[&str]) -> Ran {
        let ran = self.run(args);
        assert_eq!(ran.code, 0, "attune {args:?}: {ran:?}");
        ran
    }
}

fn server(data: &Path) -> Server {
    let mut command = attune(data);
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    Server::start(command)
}

/// Logs the client in to `server` as admin.
fn logged_in(dir: &Path, server: &Server) -> Cli {
    let cli = Cli::new(dir);
    let ran = cli.run_with(&["login", "--url", &server.url, "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(ran.code, 0, "{ran:?}");
    cli
}

#[tokio::test]
async fn login_keeps_a_private_profile_and_each_failure_has_its_exit_code() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = Cli::new(data.path());

    let wrong = cli.run_with(&["login", "--url", &server.url, "--password-stdin"], "not-the-password\n");
    assert_eq!(wrong.code, 4, "{wrong:?}");
    assert!(wrong.stderr.contains("unauthorized (401)"), "{wrong:?}");
    assert!(!cli.config.exists(), "nothing is saved by a failed login");

    let no_terminal = cli.run(&["login", "--url", &server.url]);
    assert_eq!(no_terminal.code, 2, "{no_terminal:?}");
    assert!(no_terminal.stderr.contains("--password-stdin"), "{no_terminal:?}");

    let ran = cli.run_with(&["login", "--url", &server.url, "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("as admin"), "{ran:?}");
    let mode = std::fs::metadata(&cli.config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the profile file holds credentials");
    let profile = std::fs::read_to_string(&cli.config).unwrap();
    assert!(!profile.contains(PASSWORD), "the password itself is never kept");

    let unknown = cli.run(&["action", "run", "examples-wasm.nope"]);
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(unknown.stderr.contains("not_found (404)") && unknown.stderr.contains("examples-wasm.nope"), "{unknown:?}");

    let mistyped = cli.run(&["action", "run", "core.sleep", "seconds=soon"]);
    assert_eq!(mistyped.code, 2, "{mistyped:?}");
    assert!(mistyped.stderr.contains("parameter 'seconds' expects a number, got 'soon'"), "{mistyped:?}");

    let invalid = cli.run(&["action", "run", "core.echo"]);
    assert_eq!(invalid.code, 1, "{invalid:?}");
    assert!(invalid.stderr.contains("(422)") && invalid.stderr.contains("message:"), "{invalid:?}");

    let usage = cli.run(&["action", "frobnicate"]);
    assert_eq!(usage.code, 2, "{usage:?}");

    let unreachable = cli.run(&["--url", "http://127.0.0.1:9", "action", "list"]);
    assert_eq!(unreachable.code, 3, "{unreachable:?}");
    assert!(unreachable.stderr.contains("cannot reach http://127.0.0.1:9"), "{unreachable:?}");

    // A group-readable profile file is refused rather than used.
    std::fs::set_permissions(&cli.config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let exposed = cli.run(&["action", "list"]);
    assert_eq!(exposed.code, 1, "{exposed:?}");
    assert!(exposed.stderr.contains("chmod 600"), "{exposed:?}");
    std::fs::set_permissions(&cli.config, std::fs::Permissions::from_mode(0o600)).unwrap();

    cli.ok(&["logout"]);
    let logged_out = cli.run(&["action", "list"]);
    assert_eq!(logged_out.code, 4, "{logged_out:?}");
}

#[tokio::test]
async fn actions_run_stream_their_output_and_end_with_their_outcome() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = logged_in(data.path(), &server);

    let listed = cli.ok(&["action", "list", "--pack", "examples-wasm"]);
    assert!(listed.stdout.starts_with("REF ") && listed.stdout.contains("examples-wasm.echo"), "{listed:?}");
    let json = cli.ok(&["action", "list", "--json"]).json();
    assert!(json.as_array().unwrap().iter().any(|a| a["ref"] == "core.echo"), "{json}");

    let wasm = cli.ok(&["action", "run", "examples-wasm.echo", "message=hello from the cli"]);
    assert!(wasm.stdout.contains("message: hello from the cli"), "{wasm:?}");
    assert!(wasm.stderr.contains("completed"), "{wasm:?}");

    let shell = cli.ok(&["action", "run", "core.echo", "message=a line streamed"]);
    assert!(shell.stdout.contains("a line streamed"), "{shell:?}");

    let failed = cli.run(&["action", "run", "core.local", "cmd=echo about to fail; exit 3"]);
    assert_eq!(failed.code, 10, "{failed:?}");
    assert!(failed.stdout.contains("about to fail") && failed.stderr.contains("failed"), "{failed:?}");

    let machine = cli.ok(&["action", "run", "examples-wasm.echo", "message=json", "--json"]).json();
    assert_eq!(machine["status"], "completed");
    assert_eq!(machine["result"]["message"], "json");

    // Cancel, then tail: the tail ends with the cancelled execution's code.
    let id = cli.ok(&["action", "run", "core.sleep", "seconds=30", "--async"]).stdout.trim().to_owned();
    assert!(id.parse::<i64>().is_ok(), "--async prints the id: {id}");
    cli.ok(&["execution", "cancel", &id]);
    let tail = cli.run(&["execution", "tail", &id]);
    assert_eq!(tail.code, 12, "{tail:?}");
    let shown = cli.ok(&["execution", "show", &id, "--json"]).json();
    assert_eq!(shown["status"], "cancelled");
    let listed = cli.ok(&["execution", "list", "--action", "core.sleep", "--json"]).json();
    assert!(listed.as_array().unwrap().iter().any(|e| e["id"].as_i64() == id.parse().ok()), "{listed}");

    // A re-run with a parameter changed.
    let first = cli.ok(&["action", "run", "examples-wasm.echo", "message=first", "--json"]).json();
    let again = cli.ok(&["execution", "rerun", &first["id"].to_string(), "message=second", "--json"]).json();
    assert_eq!(again["result"]["message"], "second");
    assert_ne!(again["id"], first["id"]);
}

#[tokio::test]
async fn an_approval_is_answered_and_the_workflow_shown_from_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = logged_in(data.path(), &server);

    let workflow = cli.ok(&["action", "run", "examples-wasm.approve_release", "version=2.0.0", "--async"]);
    let workflow = workflow.stdout.trim().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let inquiry = loop {
        let pending = cli.ok(&["inquiry", "list", "--status", "pending", "--json"]).json();
        if let Some(inquiry) = pending.as_array().unwrap().iter().find(|i| i["prompt"] == "Release 2.0.0?") {
            break inquiry["id"].to_string();
        }
        assert!(Instant::now() < deadline, "the approval was never asked");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let wrong = cli.run(&["inquiry", "respond", &inquiry, "approved=perhaps"]);
    assert_eq!(wrong.code, 2, "typed by the inquiry's schema: {wrong:?}");
    cli.ok(&["inquiry", "respond", &inquiry, "approved=true", "note=ship it"]);
    let tail = cli.ok(&["execution", "tail", &workflow]);
    assert!(tail.stdout.contains("released: released 2.0.0"), "{tail:?}");

    let graph = cli.ok(&["workflow", "show", &workflow]).stdout;
    assert!(graph.starts_with("workflow examples-wasm.approve_release"), "{graph}");
    for line in
        ["prepare [succeeded]", "approve [succeeded]", "release [succeeded]", "-> release when", "note: \"ship it\""]
    {
        assert!(graph.contains(line), "{line} in {graph}");
    }
    let children = cli.ok(&["execution", "list", "--parent", &workflow, "--json"]).json();
    assert_eq!(children.as_array().unwrap().len(), 3, "{children}");
}

#[tokio::test]
async fn keys_rules_webhooks_and_listings_through_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = logged_in(data.path(), &server);

    cli.ok(&["key", "set", "greeting", "hello"]);
    assert_eq!(cli.ok(&["key", "get", "greeting"]).stdout, "hello\n");
    let secret = cli.run_with(&["key", "set", "api_token", "-", "--encrypted"], "s3cret-value\n");
    assert_eq!(secret.code, 0, "{secret:?}");
    let keys = cli.ok(&["key", "list"]).stdout;
    assert!(keys.contains("greeting") && keys.contains("api_token"), "{keys}");
    assert!(!keys.contains("s3cret-value"), "an encrypted value is not listed: {keys}");
    assert_eq!(cli.ok(&["key", "get", "api_token", "--decrypt"]).stdout, "s3cret-value\n");
    cli.ok(&["key", "delete", "greeting"]);
    assert_eq!(cli.run(&["key", "get", "greeting"]).code, 1);

    let rule = data.path().join("rule.yaml");
    std::fs::write(
        &rule,
        "ref: core.cli_rule\ntrigger: core.webhook\ntrigger_parameters: {name: cli-hook}\n\
         action: core.echo\nparameters: {message: \"{{ event.payload.body.text }}\"}\n",
    )
    .unwrap();
    cli.ok(&["rule", "create", rule.to_str().unwrap()]);
    cli.ok(&["rule", "disable", "core.cli_rule"]);
    assert_eq!(cli.ok(&["rule", "show", "core.cli_rule", "--json"]).json()["enabled"], false);
    cli.ok(&["rule", "enable", "core.cli_rule"]);
    assert!(cli.ok(&["rule", "list"]).stdout.contains("core.cli_rule"));
    std::fs::write(&rule, "ref: [not, a, ref]\ntrigger: core.webhook\naction: core.echo\n").unwrap();
    let bad = cli.run(&["rule", "create", rule.to_str().unwrap()]);
    assert_eq!(bad.code, 1, "{bad:?}");
    let broken = data.path().join("broken.yaml");
    std::fs::write(&broken, "ref: [unclosed\n").unwrap();
    let unreadable = cli.run(&["rule", "create", broken.to_str().unwrap()]);
    assert_eq!(unreadable.code, 1, "{unreadable:?}");
    assert!(unreadable.stderr.contains("broken.yaml"), "the file is named: {unreadable:?}");
    cli.ok(&["rule", "delete", "core.cli_rule"]);

    cli.ok(&["webhook", "create", "cli-hook", "--description", "from the cli"]);
    assert!(cli.ok(&["webhook", "list"]).stdout.contains("cli-hook"));
    cli.ok(&["webhook", "delete", "cli-hook"]);

    assert!(cli.ok(&["trigger", "list"]).stdout.contains("core.webhook"));
    cli.ok(&["sensor", "list"]);
    let packs = cli.ok(&["pack", "list"]).stdout;
    assert!(packs.contains("core") && packs.contains("examples-wasm"), "{packs}");
    assert_eq!(cli.ok(&["pack", "show", "core", "--json"]).json()["ref"], "core");
}

#[test]
fn completions_cover_client_and_server_commands() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Cli::new(dir.path()).ok(&["completions", "bash"]);
    for word in ["login", "execution", "server", "migrate"] {
        assert!(ran.stdout.contains(word), "{word} in the bash completions");
    }
}

/// A shell pack `clipack` at `version` whose `greet` action prints `<greeting> <name>`, and
/// whose `slow` action times out.
fn write_greeter(dir: &Path, version: &str, greeting: &str) {
    std::fs::create_dir_all(dir.join("actions")).unwrap();
    std::fs::write(dir.join("pack.yaml"), format!("ref: clipack\nlabel: CLI pack\nversion: {version}\n")).unwrap();
    std::fs::write(
        dir.join("actions/greet.yaml"),
        "ref: clipack.greet\nrunner_type: shell\nentry_point: greet.sh\noutput_format: text\n\
         parameters:\n  name: {type: string, required: true}\ntimeout: 10\n",
    )
    .unwrap();
    std::fs::write(dir.join("actions/greet.sh"), format!("#!/bin/sh\nprintf '%s\\n' \"{greeting} $PARAM_NAME\"\n"))
        .unwrap();
    // `slow` outlives its one-second timeout.
    std::fs::write(
        dir.join("actions/slow.yaml"),
        "ref: clipack.slow\nrunner_type: shell\nentry_point: slow.sh\nparameters: {}\ntimeout: 1\n",
    )
    .unwrap();
    std::fs::write(dir.join("actions/slow.sh"), "#!/bin/sh\nsleep 30\n").unwrap();
}

#[tokio::test]
async fn a_pack_is_built_published_run_and_rolled_back() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = logged_in(data.path(), &server);
    let pack = data.path().join("clipack");
    write_greeter(&pack, "1.0.0", "hello");
    let dir = pack.to_str().unwrap();

    // Offline: the same files give the same archive, byte for byte.
    let first = cli.ok(&["pack", "build", dir, "--json"]).json();
    let archive = PathBuf::from(first["path"].as_str().unwrap());
    assert_eq!(archive, pack.join("dist/clipack-1.0.0.tar.gz"));
    let bytes = std::fs::read(&archive).unwrap();
    let again = cli.ok(&["pack", "build", dir, "--json"]).json();
    assert_eq!(again["digest"], first["digest"]);
    assert_eq!(std::fs::read(&archive).unwrap(), bytes, "a rebuild writes the same bytes");

    let published = cli.ok(&["pack", "publish", archive.to_str().unwrap()]);
    assert!(published.stdout.contains("Installed clipack 1.0.0"), "{published:?}");
    let run = cli.ok(&["action", "run", "clipack.greet", "name=world"]);
    assert!(run.stdout.contains("hello world"), "{run:?}");
    let slow = cli.run(&["action", "run", "clipack.slow"]);
    assert_eq!(slow.code, 11, "a timed-out execution has its own exit code: {slow:?}");

    // Version 2, published straight from the directory; then back to 1.
    write_greeter(&pack, "2.0.0", "howdy");
    cli.ok(&["pack", "publish", dir]);
    assert!(cli.ok(&["action", "run", "clipack.greet", "name=world"]).stdout.contains("howdy world"));
    let versions = cli.ok(&["pack", "versions", "clipack", "--json"]).json();
    let listed: Vec<(&str, bool)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_str().unwrap(), v["installed"].as_bool().unwrap()))
        .collect();
    assert_eq!(listed, [("2.0.0", true), ("1.0.0", false)]);
    cli.ok(&["pack", "install", "clipack@1.0.0"]);
    assert!(cli.ok(&["action", "run", "clipack.greet", "name=again"]).stdout.contains("hello again"));
    assert_eq!(cli.ok(&["pack", "show", "clipack", "--json"]).json()["archive_digest"], first["digest"]);

    // A version is immutable: other files under the same version are refused.
    write_greeter(&pack, "1.0.0", "changed");
    let conflict = cli.run(&["pack", "publish", dir]);
    assert_eq!(conflict.code, 1, "{conflict:?}");
    assert!(conflict.stderr.contains("conflict (409)"), "{conflict:?}");

    // An invalid pack fails the offline build, naming the file and the field.
    std::fs::write(pack.join("actions/broken.yaml"), "ref: clipack.broken\nrunner_type: shell\nbogus: 1\n").unwrap();
    let broken = cli.run(&["pack", "build", dir]);
    assert_eq!(broken.code, 1, "{broken:?}");
    assert!(broken.stderr.contains("actions/broken.yaml") && broken.stderr.contains("bogus"), "{broken:?}");
    let unknown = cli.run(&["pack", "install", "clipack@9.9.9"]);
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(unknown.stderr.contains("not_found (404)"), "{unknown:?}");
}

#[tokio::test]
async fn uploaded_archives_are_checked_before_anything_is_kept() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let token = server.login("admin", PASSWORD).await;
    let client = reqwest::Client::new();
    let upload = |body: Vec<u8>, query: &'static str, token: String| {
        let request = client
            .post(format!("{}/api/v1/packs{query}", server.url))
            .bearer_auth(token)
            .header("content-type", "application/gzip")
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    let (status, body) = upload(b"certainly not a tarball".to_vec(), "", token.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_pack");

    // A valid archive sent with another digest is refused, and nothing is installed.
    let pack = data.path().join("clipack");
    write_greeter(&pack, "1.0.0", "hello");
    let archive = attune_packs::archive::write(&pack, "clipack", "1.0.0", Vec::new()).unwrap();
    let (status, body) = upload(archive.bytes.clone(), "?digest=sha256:0000", token.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"].to_string().contains("not the sha256:0000"), "{body}");
    let (status, _) = server.call("GET", "/api/v1/packs/clipack", Some(&token), None).await;
    assert_eq!(status, 404, "nothing of a refused archive is stored");

    // A viewer may not install packs, and its upload is not even unpacked.
    let watcher = serde_json::json!({"login": "watcher", "password": "watcher-password-1"});
    let (status, body) = server.call("POST", "/api/v1/identities", Some(&token), Some(watcher)).await;
    assert_eq!(status, 201, "{body}");
    let assign = server.call("PUT", "/api/v1/identities/watcher/permission-sets/viewer", Some(&token), None).await;
    assert_eq!(assign.0, 204);
    let viewer = server.login("watcher", "watcher-password-1").await;
    let (status, body) = upload(archive.bytes.clone(), "", viewer).await;
    assert_eq!(status, 403, "{body}");
    let cache = data.path().join("cache/packs");
    assert!(!cache.exists() || std::fs::read_dir(&cache).unwrap().next().is_none(), "nothing unpacked for a viewer");

    let (status, body) = upload(archive.bytes.clone(), "", token.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["data"]["pack"]["archive_digest"], archive.digest);
    let (status, versions) = server.call("GET", "/api/v1/packs/clipack/versions", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(versions["data"][0]["digest"], archive.digest);
    assert_eq!(versions["data"][0]["installed_by"], "admin");
    let downloaded = client
        .get(format!("{}/api/v1/packs/clipack/versions/1.0.0/archive", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(downloaded.as_ref(), archive.bytes.as_slice(), "the kept archive is the uploaded one");
}

#[tokio::test]
async fn every_pack_template_builds_installs_and_runs_as_generated() {
    let data = tempfile::tempdir().unwrap();
    // The server has no build tools (no componentize-py): WASM templates run as the
    // components `pack build` made.
    let no_tools = data.path().join("no-tools");
    std::fs::create_dir_all(&no_tools).unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD).env("ATTUNE_TOOLS_DIR", &no_tools);
    let server = Server::start(command);
    let cli = logged_in(data.path(), &server);
    let work = data.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for (template, expected) in [
        ("shell", "Hello, world!"),
        ("python", "greeting: Hello, world!"),
        ("node", "greeting: Hello, world!"),
        ("wat", "name: world"),
        ("wasm-python", "greeting: Hello, world!"),
    ] {
        let name = format!("hello-{template}");
        cli.ok(&["pack", "init", &name, "--template", template, "--dir", work.to_str().unwrap()]);
        let dir = work.join(&name);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.contains(expected), "{template}: the README says what the run prints: {readme}");
        let built = cli.ok(&["pack", "build", dir.to_str().unwrap(), "--json"]).json();
        let entry_point = match template {
            "wat" => "hello.wat.wasm",
            "wasm-python" => "hello.py.wasm",
            _ => "",
        };
        if entry_point.is_empty() {
            assert_eq!(built["components"], serde_json::json!({}), "{template}: nothing to build");
        } else {
            let source = entry_point.trim_end_matches(".wasm");
            assert_eq!(built["components"][format!("actions/{source}")], format!("actions/{entry_point}"), "{built}");
            let again = cli.ok(&["pack", "build", dir.to_str().unwrap(), "--json"]).json();
            assert_eq!(again["digest"], built["digest"], "{template}: building a component is reproducible");
        }
        cli.ok(&["pack", "publish", built["path"].as_str().unwrap()]);
        if !entry_point.is_empty() {
            let action = cli.ok(&["action", "show", &format!("{name}.hello"), "--json"]).json();
            assert_eq!(action["entry_point"], entry_point, "{template}: the built component runs");
        }
        let run = cli.ok(&["action", "run", &format!("{name}.hello"), "name=world"]);
        assert!(run.stdout.contains(expected), "{template}: {run:?}");
    }
    let taken = cli.run(&["pack", "init", "hello-shell", "--dir", work.to_str().unwrap()]);
    assert_eq!(taken.code, 1, "{taken:?}");
}

/// A local OCI registry (Debian's `docker-registry`, installed by scripts/install-registry.sh)
/// on a free port, stopped on drop.
struct Registry {
    child: std::process::Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog: {{level: error}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\nhttp: {{addr: \"{address}\"}}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is installed by scripts/install-registry.sh");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("http://{address}/v2/")).await.is_err() {
            assert!(Instant::now() < deadline, "the registry never answered on {address}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, address, _dir: dir }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_pack_goes_through_an_oci_registry() {
    let registry = Registry::start().await;
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let cli = logged_in(data.path(), &server);
    let pack = data.path().join("clipack");
    write_greeter(&pack, "1.0.0", "registered");
    let reference = format!("oci://{}/team/clipack:1.0.0", registry.address);

    let pushed = cli.ok(&["pack", "publish", pack.to_str().unwrap(), "--to", &reference, "--json"]).json();
    let manifest: Value = reqwest::Client::new()
        .get(format!("http://{}/v2/team/clipack/manifests/1.0.0", registry.address))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["artifactType"], "application/vnd.attune.pack.v1");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
    assert_eq!(manifest["layers"][0]["digest"], pushed["archive_digest"]);
    assert_eq!(manifest["annotations"]["org.opencontainers.image.version"], "1.0.0");

    // Pushed once, installed from the registry: the server never saw the directory.
    cli.ok(&["pack", "install", &reference]);
    assert!(cli.ok(&["action", "run", "clipack.greet", "name=oci"]).stdout.contains("registered oci"));
    let shown = cli.ok(&["pack", "show", "clipack", "--json"]).json();
    assert_eq!(shown["archive_digest"], pushed["archive_digest"]);

    let missing = cli.run(&["pack", "install", &format!("oci://{}/team/clipack:9.9.9", registry.address)]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(missing.stderr.contains("404"), "{missing:?}");
    let bad = cli.run(&["pack", "install", "oci://registry.example/Team/../x"]);
    assert_eq!(bad.code, 2, "{bad:?}");
}

#[tokio::test]
async fn distributed_workers_fetch_an_installed_pack_by_its_digest() {
    use crate::distributed::{Cluster, start_cluster, submit, wait_all};

    let database = attune_test_support::TestDatabase::create("e2e_pack_distribution").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("e2e-packs-{}.", std::process::id());
    let dir = |name: &str| scratch.path().join(name);
    let Cluster { api, executor: _executor, workers: _workers } =
        start_cluster(&database, &prefix, scratch.path(), "2");
    let token = api.login("admin", crate::distributed::PASSWORD).await;

    let pack = dir("clipack");
    write_greeter(&pack, "1.0.0", "from the store,");
    let archive = attune_packs::archive::write(&pack, "clipack", "1.0.0", Vec::new()).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/packs", api.url))
        .bearer_auth(&token)
        .body(archive.bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    // The files the API unpacked are gone: a worker cannot be reading them.
    std::fs::remove_dir_all(dir("api").join("cache/packs")).unwrap();
    std::fs::remove_dir_all(&pack).unwrap();

    let mut ids = Vec::new();
    for n in 0..8 {
        ids.push(submit(&api, &token, "clipack.greet", serde_json::json!({"name": format!("run {n}")})).await);
    }
    let results = wait_all(&api, &token, &ids, Duration::from_secs(120)).await;
    let mut used = std::collections::BTreeSet::new();
    for (n, id) in ids.iter().enumerate() {
        let execution = &results[id];
        assert_eq!(execution["status"], "completed", "{execution}");
        assert_eq!(execution["result"]["stdout"], format!("from the store, run {n}\n"), "{execution}");
        used.insert(execution["worker"].as_i64().unwrap());
    }
    // Each worker that ran it unpacked the archive into its own data directory.
    let hex = archive.digest.trim_start_matches("sha256:");
    for worker in used {
        let (_, shown) = api.call("GET", &format!("/api/v1/workers/{worker}"), Some(&token), None).await;
        let name = shown["data"]["name"].as_str().unwrap().to_owned();
        let unpacked = dir(&name).join("cache/packs").join(hex);
        assert!(unpacked.join("actions/greet.sh").is_file(), "{name} unpacked the pack at {}", unpacked.display());
    }
}
