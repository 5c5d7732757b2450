//! Output formats, invalid output, unicode, and the Python and Node runners' basics.

use attune_runtime_api::{FailureKind, OutputFormat};
use serde_json::json;

use crate::support::{Fixture, completed, run};

const PY_ECHO_PARAMETERS: &str = r#"
import json, sys
params = json.load(sys.stdin)["parameters"]
fmt = params["format"]
if fmt == "json":
    print(json.dumps({"greeting": params["greeting"], "n": params["n"]}, ensure_ascii=False))
elif fmt == "yaml":
    print("greeting: " + json.dumps(params["greeting"], ensure_ascii=False))
    print("n: %d" % params["n"])
    print("items:\n  - one\n  - two")
else:
    print(params["greeting"])
    print("second line")
"#;

#[tokio::test]
async fn json_yaml_and_text_results() {
    let fixture = Fixture::new();
    let pack = fixture.pack("formats");
    let script = pack.script("echo.py", PY_ECHO_PARAMETERS);
    let python = fixture.runtime("python");
    let greeting = "héllo wörld — 你好 🌍";

    let mut request = pack.request(&script, json!({"format": "json", "greeting": greeting, "n": 2}));
    request.output_format = OutputFormat::Json;
    let (outcome, _) = run(&python, request).await;
    assert_eq!(completed(&outcome), &json!({"greeting": greeting, "n": 2}));

    let mut request = pack.request(&script, json!({"format": "yaml", "greeting": greeting, "n": 3}));
    request.output_format = OutputFormat::Yaml;
    let (outcome, _) = run(&python, request).await;
    assert_eq!(completed(&outcome), &json!({"greeting": greeting, "n": 3, "items": ["one", "two"]}));

    let mut request = pack.request(&script, json!({"format": "text", "greeting": greeting, "n": 0}));
    request.output_format = OutputFormat::Text;
    let (outcome, lines) = run(&python, request).await;
    assert_eq!(completed(&outcome), &json!({"stdout": format!("{greeting}\nsecond line\n")}));
    assert_eq!(lines[0].text, greeting, "unicode reaches the live output intact");
}

#[tokio::test]
async fn output_that_does_not_parse_fails_and_keeps_the_raw_text() {
    let fixture = Fixture::new();
    let pack = fixture.pack("invalid");
    let script = pack.script("bad.py", "print('not json: {')\n");
    let python = fixture.runtime("python");

    let (outcome, _) = run(&python, pack.request(&script, json!({}))).await;
    let failure = outcome.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert!(failure.message.starts_with("stdout is not one JSON document"), "{}", failure.message);
    assert_eq!(outcome.stdout.text, "not json: {\n");
    assert_eq!(outcome.exit_code, Some(0));

    let mut request = pack.request(&script, json!({}));
    request.output_format = OutputFormat::Yaml;
    let (outcome, _) = run(&python, request).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert!(failure.message.starts_with("stdout is not one YAML document"), "{}", failure.message);
    assert_eq!(outcome.stdout.text, "not json: {\n");

    let empty = pack.script("empty.py", "pass\n");
    let (outcome, _) = run(&python, pack.request(&empty, json!({}))).await;
    assert_eq!(outcome.result.unwrap_err().message, "stdout is not a JSON document (it is empty)");
}

#[tokio::test]
async fn python_exit_codes_and_tracebacks() {
    let fixture = Fixture::new();
    let pack = fixture.pack("pyexit");
    let script = pack.script("boom.py", "raise RuntimeError('database unreachable')\n");
    let (outcome, _) = run(&fixture.runtime("python"), pack.request(&script, json!({}))).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert_eq!(failure.message, "exited with code 1: RuntimeError: database unreachable");
    assert!(outcome.stderr.text.starts_with("Traceback"));
}

#[tokio::test]
async fn node_reads_the_document_and_returns_json() {
    let fixture = Fixture::new();
    let pack = fixture.pack("nodebasic");
    let script = pack.script(
        "sum.js",
        r#"let raw = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (raw += chunk));
process.stdin.on("end", () => {
  const { parameters, secrets, context } = JSON.parse(raw);
  const sum = parameters.numbers.reduce((a, b) => a + b, 0);
  console.error("summing", parameters.numbers.length, "numbers");
  console.log(JSON.stringify({ sum, label: parameters.label, secret_length: secrets.key.length, action: context.action_ref }));
  process.exitCode = parameters.fail ? 7 : 0;
});
"#,
    );
    let node = fixture.runtime("node");
    let mut request = pack.request(&script, json!({"numbers": [1, 2, 39], "label": "Σ ✓"}));
    request.secrets.insert("key".into(), "abcdef".into());
    let (outcome, _) = run(&node, request).await;
    assert_eq!(
        completed(&outcome),
        &json!({"sum": 42, "label": "Σ ✓", "secret_length": 6, "action": "nodebasic.test"})
    );
    assert_eq!(outcome.stderr.text, "summing 3 numbers\n");

    let request = pack.request(&script, json!({"numbers": [], "label": "", "fail": true}));
    let mut request = request;
    request.secrets.insert("key".into(), "k".into());
    let (outcome, _) = run(&node, request).await;
    let failure = outcome.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert_eq!(failure.message, "exited with code 7: summing 0 numbers");
}
