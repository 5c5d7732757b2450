//! The docker-compose deployment: Compose accepts `docker-compose.yaml` (`config` renders
//! and checks it without a Docker daemon), every role reports its readiness, nothing is
//! shared through volumes, and the secrets are required, never defaulted.

use std::process::Command;

use serde_json::Value;

use crate::support::repo;

/// `docker compose`, or the older `docker-compose`, running `config` on the repository's
/// file with `env`.
fn compose_config(env: &[(&str, &str)]) -> std::process::Output {
    let plugin = Command::new("docker").args(["compose", "version"]).output().is_ok_and(|o| o.status.success());
    let mut command = if plugin {
        let mut command = Command::new("docker");
        command.arg("compose");
        command
    } else {
        Command::new("docker-compose")
    };
    command.current_dir(repo()).args(["-f", "docker-compose.yaml", "config"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("ATTUNE") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("Docker Compose runs (scripts/install-compose.sh installs it)")
}

#[test]
fn compose_accepts_the_deployment_and_every_role_reports_readiness() {
    let secrets = [("ATTUNE_JWT_SECRET", "a-jwt-secret-of-at-least-32-characters"), ("ATTUNE_ENCRYPTION_KEY", "ab")];
    let output = compose_config(&secrets);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rendered: Value = serde_yaml_ng::from_slice(&output.stdout).expect("Compose prints YAML");
    let services = rendered["services"].as_object().expect("services");
    let mut names: Vec<&str> = services.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["api", "executor", "migrate", "notifier", "postgres", "rabbitmq", "sensor", "worker"]);
    for role in ["api", "executor", "worker", "sensor", "notifier"] {
        let service = &services[role];
        let check = service["healthcheck"]["test"].to_string();
        assert!(check.contains("/health/ready"), "{role} reports its readiness: {check}");
        assert!(service["build"].is_object() || service["build"].is_string(), "{role} is built from the repository");
        assert!(service.get("volumes").is_none(), "{role} shares no volume");
        assert_eq!(service["environment"]["ATTUNE_JWT_SECRET"], secrets[0].1, "{role} gets the shared secret");
    }
    assert_eq!(services["sensor"]["deploy"]["replicas"], 1, "exactly one sensor service");

    // A missing secret is an error naming it, never a default.
    let output = compose_config(&secrets[1..]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ATTUNE_JWT_SECRET"), "{stderr}");
}
