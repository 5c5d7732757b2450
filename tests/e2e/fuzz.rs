//! The API under a fuzzer: schemathesis reads `/api/v1/openapi.json` from a real server and
//! sends every operation requests generated from its schemas (valid ones and broken ones),
//! as the administrator. Any 5xx fails the test: bad input must get a 4xx with a stable
//! `code` (SPEC §12).
//!
//! schemathesis comes from `scripts/install-schemathesis.sh` (which `make test` runs).

use std::path::PathBuf;
use std::process::Command;

use crate::support::{Server, attune};

/// Examples generated per operation and phase: enough to reach odd inputs, few enough to
/// keep the run to a few minutes.
const MAX_EXAMPLES: &str = "10";

/// The installed schemathesis: `ATTUNE_SCHEMATHESIS`, or the install script's virtualenv.
fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("ATTUNE_SCHEMATHESIS") {
        return path.into();
    }
    let tools = std::env::var_os("ATTUNE_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/attune/tools"));
    let tool = tools.join("schemathesis/bin/schemathesis");
    assert!(tool.is_file(), "{} is missing: run scripts/install-schemathesis.sh", tool.display());
    tool
}

#[tokio::test(flavor = "multi_thread")]
async fn no_generated_request_gets_a_server_error() {
    let tool = schemathesis();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(attune(&data.path().join("fuzzed")));
    let password = server.admin_password().expect("the first start prints the admin password");
    let token = server.login("admin", &password).await;

    let output = Command::new(&tool)
        // Its state directory (`.schemathesis/`) goes with the run.
        .current_dir(data.path())
        .arg("run")
        .arg(format!("{}/api/v1/openapi.json", server.url))
        .args(["--checks", "not_a_server_error"])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--seed", "1"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .arg("--no-color")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found server errors (or could not run):\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (status, health) = server.call("GET", "/health", None, None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")), "the server survived");
}
