//! The embedded deployment: `attune server` on an empty directory, no external service.

use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use crate::support::{Server, attune, own_packs_dir};

#[tokio::test]
async fn a_newcomer_starts_logs_in_and_lists_the_core_pack() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("fresh");
    let server = Server::start(attune(&data_dir));

    let password = server.admin_password().expect("the first start prints the admin password");
    for private in ["jwt_secret", "encryption_key", "attune.db", "attune.db-wal"] {
        let mode = std::fs::metadata(data_dir.join(private)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{private}");
    }
    let mode = std::fs::metadata(&data_dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data directory is the server's alone");
    assert!(data_dir.join("attune.db").is_file());

    let (status, health) = server.call("GET", "/health", None, None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let (status, body) = server.call("GET", "/api/v1/packs", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");

    let token = server.login("admin", &password).await;
    let (status, core) = server.call("GET", "/api/v1/packs/core", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(core["data"]["ref"], "core");
    let (_, actions) = server.call("GET", "/api/v1/actions?pack=core", Some(&token), None).await;
    let refs: Vec<&str> = actions["data"].as_array().unwrap().iter().map(|a| a["ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["core.ask", "core.echo", "core.http", "core.local", "core.noop", "core.sleep"]);
    assert!(server.stop(), "SIGTERM stops the server cleanly");

    // A second start on the same directory keeps the admin (no new password) and the data.
    let again = Server::start(attune(&data_dir));
    assert_eq!(again.admin_password(), None);
    again.login("admin", &password).await;
}

#[tokio::test]
async fn the_admin_password_can_be_given_and_a_broken_pack_is_refused_whole() {
    let data = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "given-password-123");
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    assert_eq!(server.admin_password(), None, "a given password is not printed");
    let token = server.login("admin", "given-password-123").await;

    let pack = packs.join("broken-pack");
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    std::fs::write(pack.join("pack.yaml"), "ref: broken\nversion: 1.0.0\n").unwrap();
    std::fs::write(pack.join("actions/ok.yaml"), "runner_type: shell\nentry_point: ok.sh\n").unwrap();
    std::fs::write(pack.join("actions/ok.sh"), "echo ok\n").unwrap();
    std::fs::write(pack.join("actions/bad.yaml"), "runner_type: shel\nentry_point: ok.sh\n").unwrap();

    let (status, body) = server.call("POST", "/api/v1/packs/register", Some(&token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_pack");
    assert!(body["error"]["message"].as_str().unwrap().contains("actions/bad.yaml"), "{body}");
    let (status, _) = server.call("GET", "/api/v1/packs/broken", Some(&token), None).await;
    assert_eq!(status, 404, "nothing of the pack was stored");
    let (_, actions) = server.call("GET", "/api/v1/actions?pack=broken", Some(&token), None).await;
    assert_eq!(actions["pagination"]["total"], 0);
}

#[test]
fn migrate_prepares_an_empty_directory() {
    let data = tempfile::tempdir().unwrap();
    let output = attune(data.path()).arg("migrate").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("(sqlite) is up to date"), "{stdout}");
    assert!(data.path().join("attune.db").is_file());
}
