//! The server as an unprivileged user (as the container image runs it, and as `make run`
//! does for anyone but root): native actions are confined in a user namespace of their
//! own, mapped onto the server's user, and still cannot reach the data directory or the
//! server.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{Server, with_attune_environment};

const PASSWORD: &str = "unprivileged-e2e-password";

const WHO: &str = r#"echo "uid $(id -u)"
if ls "$PARAM_DATA_DIR" >/dev/null 2>&1; then echo "data SUCCEEDED"; else echo "data denied"; fi
if cat "/proc/$PARAM_SERVER_PID/environ" >/dev/null 2>&1; then echo "environ SUCCEEDED"; else echo "environ denied"; fi
"#;

#[tokio::test]
async fn an_unprivileged_server_confines_actions_in_a_user_namespace() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let public = |path: &Path| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    public(root);
    // The binaries where the unprivileged user can run them (the build directory may be
    // in root's home).
    let bin = root.join("bin");
    std::fs::create_dir(&bin).unwrap();
    public(&bin);
    let attune = Path::new(env!("CARGO_BIN_EXE_attune"));
    for name in ["attune", "attune-sandbox"] {
        let built = attune.with_file_name(name);
        if std::fs::hard_link(&built, bin.join(name)).is_err() {
            std::fs::copy(&built, bin.join(name)).unwrap();
        }
    }
    let pack = root.join("packs/who");
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    for dir in [root.join("packs"), pack.clone(), pack.join("actions")] {
        public(&dir);
    }
    std::fs::write(pack.join("pack.yaml"), "ref: who\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        pack.join("actions/am_i.yaml"),
        "runner_type: shell\nentry_point: who.sh\noutput_format: text\nparameters:\n  \
         data_dir: {type: string}\n  server_pid: {type: integer}\n",
    )
    .unwrap();
    std::fs::write(pack.join("actions/who.sh"), WHO).unwrap();
    let data_dir = root.join("data");

    let root_user = nix::unistd::geteuid().is_root();
    let mut command = if root_user {
        std::fs::create_dir(&data_dir).unwrap();
        nix::unistd::chown(&data_dir, Some(65534.into()), Some(65534.into())).unwrap();
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(bin.join("attune"));
        setpriv
    } else {
        Command::new(bin.join("attune"))
    };
    command = with_attune_environment(command, &data_dir);
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD).env("ATTUNE__PACKS_DIR", root.join("packs"));
    let server = Server::start(command);
    let (_, health) = server.call("GET", "/health", None, None).await;
    assert!(health["sandbox"]["run_as"].as_str().unwrap().contains("user namespace"), "{health}");

    let token = server.login("admin", PASSWORD).await;
    let body = json!({"parameters": {"data_dir": data_dir, "server_pid": server.pid()}});
    let (status, created) = server.call("POST", "/api/v1/actions/who.am_i/execute", Some(&token), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let ended = loop {
        let (_, shown) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(&token), None).await;
        if !["requested", "scheduling", "scheduled", "running"].contains(&shown["data"]["status"].as_str().unwrap()) {
            break shown["data"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(ended["status"], "completed", "{ended}");
    assert_eq!(ended["result"]["stdout"], "uid 65534\ndata denied\nenviron denied\n", "{ended}");
}
