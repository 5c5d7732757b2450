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
