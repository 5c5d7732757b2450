//! Starting `attune` processes and talking to them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A command running the built binary with a clean Attune environment.
pub fn attune(data_dir: &Path) -> Command {
    with_attune_environment(Command::new(env!("CARGO_BIN_EXE_attune")), data_dir)
}

/// `command` with a clean Attune environment: nothing of the test's own, the data in
/// `data_dir`, the repository's packs, any free port.
pub fn with_attune_environment(mut command: Command, data_dir: &Path) -> Command {
    for (name, _) in std::env::vars() {
        if name.starts_with("ATTUNE") {
            command.env_remove(name);
        }
    }
    command
        .env("ATTUNE_DATA_DIR", data_dir)
        .env("ATTUNE__PACKS_DIR", repo().join("packs"))
        .env("ATTUNE__SERVER__LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn");
    command
}

/// Gives the servers `command` starts their own packs directory `dir` (created), holding
/// links to the repository's packs, and returns it: API registration reads only from under
/// the packs directory, so tests write the packs they register there.
pub fn own_packs_dir(command: &mut Command, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(repo().join("packs")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().join("pack.yaml").is_file() {
            std::os::unix::fs::symlink(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    command.env("ATTUNE__PACKS_DIR", dir);
    dir.to_path_buf()
}

/// Writes pack `pack_ref` under `packs` with one shell action `action` (its definition
/// `definition` after the runner and entry point; its script `script`), and registers it
/// through the API as `token`.
pub async fn register_shell_pack(
    server: &Server,
    token: &str,
    packs: &Path,
    (pack_ref, action): (&str, &str),
    definition: &str,
    script: &str,
) {
    let pack = packs.join(pack_ref);
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    std::fs::write(pack.join("pack.yaml"), format!("ref: {pack_ref}\nversion: 1.0.0\n")).unwrap();
    let yaml = format!("runner_type: shell\nentry_point: {action}.sh\n{definition}");
    std::fs::write(pack.join(format!("actions/{action}.yaml")), yaml).unwrap();
    std::fs::write(pack.join(format!("actions/{action}.sh")), script).unwrap();
    let (status, body) = server.call("POST", "/api/v1/packs/register", Some(token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 200, "{body}");
}

/// Makes `dir` (created) a directory every native action of the servers `command` starts
/// may write: the tests' way of seeing what sandboxed actions did.
pub fn share_with_actions(command: &mut Command, dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    // Actions may run as another user (a root server's `run_as`).
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    command.env("ATTUNE__RUNTIMES__NATIVE__WRITABLE_PATHS", format!("[{}]", dir.display()));
}

/// A running `attune` process that printed its ready line, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Lines the server printed on stdout before it was ready.
    pub banner: Vec<String>,
    client: reqwest::Client,
}

impl Server {
    /// Starts `attune server` and waits until it prints its address.
    pub fn start(command: Command) -> Server {
        Self::start_role(command, "server", "Attune is listening on ")
    }

    /// Starts `attune <role>` and waits until it prints a line starting with `ready`; the
    /// rest of that line is kept as [`Server::url`]. Its log (stderr) goes where `command`
    /// says: the test's own stderr unless set.
    pub fn start_role(mut command: Command, role: &str, ready: &str) -> Server {
        let mut child = command.arg(role).stdout(Stdio::piped()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let url = loop {
            match lines_rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(ready) {
                        break rest.trim().to_owned();
                    }
                    banner.push(line);
                }
                Err(_) => {
                    let status = child.try_wait().unwrap();
                    panic!("attune {role} did not become ready (exit: {status:?}); printed: {banner:?}");
                }
            }
        };
        Server { child, url, banner, client: reqwest::Client::new() }
    }

    /// The server process's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The generated admin password, if this start printed one.
    pub fn admin_password(&self) -> Option<String> {
        self.banner.iter().find_map(|line| line.split_once("(shown only now): ").map(|(_, p)| p.trim().to_owned()))
    }

    /// Sends a request and returns status and JSON body.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    /// Execution `id` once it has ended (completed, failed, timeout, cancelled, abandoned);
    /// fails the test after 90 s.
    pub async fn finished(&self, token: &str, id: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let (_, shown) = self.call("GET", &format!("/api/v1/executions/{id}"), Some(token), None).await;
            let status = shown["data"]["status"].as_str().unwrap_or_default();
            if ["completed", "failed", "timeout", "cancelled", "abandoned"].contains(&status) {
                return shown["data"].clone();
            }
            assert!(Instant::now() < deadline, "execution {id} did not end: {shown}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Logs in and returns an access token.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let (status, body) =
            self.call("POST", "/api/v1/auth/login", None, Some(json!({"login": login, "password": password}))).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    /// Kills the server with SIGKILL: no chance to clean up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM and waits for it to exit; returns whether it exited
    /// successfully.
    pub fn stop(mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().map(|status| status.success()).unwrap_or(false)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
