//! Configuration mistakes stop the binary with exit code 2 and a message naming the key.

use crate::support::attune;

#[test]
fn an_unknown_environment_key_is_named() {
    let data = tempfile::tempdir().unwrap();
    let output = attune(data.path()).env("ATTUNE__SERVER__LISEN", "127.0.0.1:1").arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ATTUNE__SERVER__LISEN") && stderr.contains("server.lisen"), "{stderr}");
}

#[test]
fn an_unknown_file_key_is_named() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("attune.yaml");
    std::fs::write(&file, "databse:\n  url: sqlite://x.db\n").unwrap();
    let output = attune(data.path()).arg("--config").arg(&file).arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("attune.yaml") && stderr.contains("databse"), "{stderr}");
}

#[test]
fn a_trace_endpoint_that_is_not_an_http_url_is_named() {
    let data = tempfile::tempdir().unwrap();
    for endpoint in ["collector:4318", "https://collector:4318/v1/traces"] {
        let output =
            attune(data.path()).env("ATTUNE__OPS__TRACES__OTLP_ENDPOINT", endpoint).arg("migrate").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("ops.traces.otlp_endpoint") && stderr.contains(endpoint), "{stderr}");
    }
}

#[test]
fn an_unreachable_database_fails_with_the_url_and_no_password() {
    let data = tempfile::tempdir().unwrap();
    let output = attune(data.path())
        .env("ATTUNE__DATABASE__URL", "postgres://user:hunter2@127.0.0.1:1/attune")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("postgres://user:****@127.0.0.1:1/attune"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_server_that_cannot_sandbox_native_actions_does_not_start() {
    let data = tempfile::tempdir().unwrap();
    let output = attune(data.path())
        .env("ATTUNE__RUNTIMES__NATIVE__SANDBOX_HELPER", "/nonexistent/attune-sandbox")
        .arg("server")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot start the native runtimes"), "{stderr}");
    assert!(stderr.contains("/nonexistent/attune-sandbox"), "{stderr}");
}

#[tokio::test]
async fn turning_the_sandbox_off_is_said_loudly_and_shown_in_health() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("server.log");
    let mut command = attune(&data.path().join("data"));
    command.env("ATTUNE__RUNTIMES__NATIVE__SANDBOX", "false").env("RUST_LOG", "info");
    command.stderr(std::fs::File::create(&log).unwrap());
    let server = crate::support::Server::start(command);
    let (_, health) = server.call("GET", "/health", None, None).await;
    assert_eq!(health["sandbox"], serde_json::json!({"status": "off"}));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("ERROR") && logged.contains("UNCONFINED"), "{logged}");
}
