//! Shell actions: the stdin document, the `PARAM_*`/`SECRET_*` variables, exit codes.

use attune_runtime_api::{FailureKind, OutputFormat};
use serde_json::json;

use crate::support::{Fixture, completed, run};

#[tokio::test]
async fn stdin_holds_the_whole_input_document() {
    let fixture = Fixture::new();
    let pack = fixture.pack("docs");
    let script = pack.script("cat.sh", "cat\n");
    let mut request = pack.request(&script, json!({"n": 1, "s": "x"}));
    request.secrets.insert("token".into(), "t0k3n".into());
    request.pack_config = json!({"region": "eu"});
    request.context.rule_ref = Some("docs.on_alert".into());
    request.context.api_token = Some("execution-scoped-token".into());

    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    let document = completed(&outcome);
    assert_eq!(document["parameters"], json!({"n": 1, "s": "x"}));
    assert_eq!(document["secrets"], json!({"token": "t0k3n"}));
    assert_eq!(document["config"], json!({"region": "eu"}));
    assert_eq!(document["context"]["execution_id"], json!(42));
    assert_eq!(document["context"]["action_ref"], json!("docs.test"));
    assert_eq!(document["context"]["pack_ref"], json!("docs"));
    assert_eq!(document["context"]["rule_ref"], json!("docs.on_alert"));
    assert_eq!(document["api_token"], json!("execution-scoped-token"));
    assert_eq!(document["context"].get("api_token"), None);
}

#[tokio::test]
async fn parameters_and_secrets_are_unexported_shell_variables() {
    let fixture = Fixture::new();
    let pack = fixture.pack("vars");
    let script = pack.script(
        "vars.sh",
        r#"printf 'message=%s\n' "$PARAM_MESSAGE"
printf 'count=%s\n' "$PARAM_COUNT"
printf 'flag=%s\n' "$PARAM_DRY_RUN"
printf 'tags=%s\n' "$PARAM_TAGS"
printf 'nothing=[%s]\n' "$PARAM_NOTHING"
printf 'secret=%s\n' "$SECRET_API_TOKEN"
# Not exported: a child process must not see them.
printf 'child sees=[%s]\n' "$(env | grep -E '^(PARAM|SECRET)_' || true)"
# The loader leaves nothing of its own behind.
printf 'loader=[%s%s]\n' "${__attune_length-}" "${__attune_prelude-}"
# stdin now holds exactly the input document.
printf 'stdin=%s\n' "$(head -c 14)"
"#,
    );
    let mut request = pack.request(
        &script,
        json!({
            "message": "it's $(touch pwned) `and` \"quoted\" ünïcødé",
            "count": 3,
            "dry-run": true,
            "tags": ["a", "b"],
            "nothing": null,
        }),
    );
    request.secrets.insert("api.token".into(), "s3cr3t".into());
    request.output_format = OutputFormat::Text;

    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    let stdout = completed(&outcome)["stdout"].as_str().unwrap().to_owned();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "message=it's $(touch pwned) `and` \"quoted\" ünïcødé",
            "count=3",
            "flag=true",
            "tags=[\"a\",\"b\"]",
            "nothing=[]",
            "secret=s3cr3t",
            "child sees=[]",
            "loader=[]",
            "stdin={\"parameters\":",
        ]
    );
    assert!(!pack.dir.join("pwned").exists(), "a parameter value was executed");
}

#[tokio::test]
async fn exit_codes_decide_the_status() {
    let fixture = Fixture::new();
    let pack = fixture.pack("codes");
    let ok = pack.script("ok.sh", "echo '{\"fine\": true}'\nexit 0\n");
    let failing =
        pack.script("fail.sh", "echo 'partial output'\necho 'first problem' >&2\necho 'disk full' >&2\nexit 3\n");
    let killed = pack.script("killed.sh", "kill -KILL $$\n");
    let shell = fixture.runtime("shell");

    let (outcome, _) = run(&shell, pack.request(&ok, json!({}))).await;
    assert_eq!(completed(&outcome), &json!({"fine": true}));
    assert_eq!(outcome.exit_code, Some(0));

    let (outcome, _) = run(&shell, pack.request(&failing, json!({}))).await;
    let failure = outcome.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert_eq!(failure.message, "exited with code 3: disk full");
    assert_eq!(outcome.exit_code, Some(3));
    assert_eq!(outcome.stdout.text, "partial output\n");
    assert_eq!(outcome.stderr.text, "first problem\ndisk full\n");

    let (outcome, _) = run(&shell, pack.request(&killed, json!({}))).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert_eq!(failure.message, "was killed by signal 9");
    assert_eq!(outcome.exit_code, None);
}

#[tokio::test]
async fn a_missing_entry_point_is_a_setup_failure() {
    let fixture = Fixture::new();
    let pack = fixture.pack("missing");
    let request = pack.request(&pack.dir.join("actions/nope.sh"), json!({}));
    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::SetupFailed);
    assert!(failure.message.contains("actions/nope.sh does not exist"), "{}", failure.message);
}
