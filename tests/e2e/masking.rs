//! Secrets stay secret: an action takes a secret parameter and a secret bound to a system
//! key, runs by hand, again by re-run, and from a rule whose template reads an encrypted
//! key, and prints them every way it can — as they are, base64-encoded, reversed, in two
//! pieces on two lines, as a number; then every place a value could leak is searched for
//! them — every API answer, every notice on the live stream, the server's log at debug
//! level, and the database files themselves (every row of every table, execution, event and
//! enforcement rows included, and the write-ahead log). None may hold them.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::stream::{Socket, connect};
use crate::support::{Server, attune, own_packs_dir};

const PASSWORD: &str = "masking-e2e-password";
/// The secret parameter given by hand.
const TOKEN: &str = "tok-4d1e-very-secret";
/// The granted secret, an encrypted system key.
const DB_PASSWORD: &str = "db-pass-9c2f-secret";
/// The encrypted key a rule's template passes as the secret parameter.
const RULE_TOKEN: &str = "rule-tok-77aa-secret";
/// A secret number parameter.
const PIN: &str = "9182736455";
const SECRETS: [&str; 4] = [TOKEN, DB_PASSWORD, RULE_TOKEN, PIN];

/// The forms of the secrets the action prints besides the clear ones.
fn disguised() -> Vec<String> {
    use base64::Engine;
    let mut forms = Vec::new();
    for secret in [TOKEN, DB_PASSWORD, RULE_TOKEN] {
        forms.push(base64::engine::general_purpose::STANDARD.encode(secret));
        forms.push(secret.chars().rev().collect());
        let (first, second) = secret.split_at(8);
        forms.push(format!("first={first}"));
        forms.push(second.to_owned());
    }
    forms
}

/// Everything the API answered, for the search at the end.
struct Recorder<'a> {
    server: &'a Server,
    token: String,
    answers: Vec<String>,
}

impl Recorder<'_> {
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, answer) = self.server.call(method, path, Some(&self.token), body).await;
        self.answers.push(format!("{method} {path} -> {status} {answer}"));
        (status, answer)
    }

    /// Waits until `count` executions of `masked.leak` have ended; returns them.
    async fn ended(&mut self, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, list) = self.call("GET", "/api/v1/executions?action_ref=masked.leak", None).await;
            let items = list["data"].as_array().cloned().unwrap_or_default();
            let ended =
                items.iter().filter(|e| ["completed", "failed", "timeout"].contains(&e["status"].as_str().unwrap()));
            if ended.count() == count {
                return items;
            }
            assert!(Instant::now() < deadline, "{count} executions did not end: {list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn write_pack(root: &std::path::Path) -> std::path::PathBuf {
    let pack = root.join("masked");
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    std::fs::write(pack.join("pack.yaml"), "ref: masked\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        pack.join("actions/leak.yaml"),
        "runner_type: shell\nentry_point: leak.sh\nsecrets: [db_password]\nparameters:\n  \
         token: {type: string, secret: true, required: true}\n  pin: {type: integer, secret: true}\n",
    )
    .unwrap();
    // Does its worst: the values on stdout, stderr and in the result, disguised too.
    std::fs::write(
        pack.join("actions/leak.sh"),
        r#"echo "token=$PARAM_TOKEN db=$SECRET_DB_PASSWORD" >&2
for secret in "$PARAM_TOKEN" "$SECRET_DB_PASSWORD"; do
  printf '%s' "$secret" | base64 >&2
  printf '%s\n' "$secret" | rev >&2
  echo "first=${secret:0:8}" >&2
  echo "${secret:8}" >&2
done
printf '{"token": "%s", "db": "%s", "pin": %s}' "$PARAM_TOKEN" "$SECRET_DB_PASSWORD" "${PARAM_PIN:-0}"
"#,
    )
    .unwrap();
    pack
}

/// Every frame the stream sent until it stayed quiet for a second.
async fn drain(socket: &mut Socket) -> Vec<String> {
    use futures::StreamExt;
    let mut frames = Vec::new();
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(1), socket.next()).await {
        frames.push(frame.to_string());
    }
    frames
}

#[tokio::test]
async fn no_clear_secret_in_answers_notices_log_or_rows() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("data");
    let log_path = scratch.path().join("server.log");
    let mut command = attune(&data_dir);
    command
        .env("ATTUNE_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "debug")
        .stderr(std::fs::File::create(&log_path).unwrap());
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;
    let mut stream = connect(&server, "?output=true", &token).await;
    let mut api = Recorder { server: &server, token, answers: Vec::new() };

    let pack = write_pack(&packs);
    let (status, registered) = api.call("POST", "/api/v1/packs/register", Some(json!({"path": pack}))).await;
    assert_eq!(status, 200, "{registered}");
    // A system key reaches the pack's actions only through an administrator's binding.
    let binding = json!({"scope": "system", "key": "db_password"});
    let (status, bound) = api.call("PUT", "/api/v1/packs/masked/secrets/db_password", Some(binding)).await;
    assert_eq!(status, 201, "{bound}");
    for (name, value) in [("db_password", DB_PASSWORD), ("rule_token", RULE_TOKEN)] {
        let (status, key) =
            api.call("PUT", &format!("/api/v1/keys/{name}"), Some(json!({"value": value, "encrypted": true}))).await;
        assert_eq!((status, key["data"]["value"].as_str()), (201, Some("********")), "{key}");
    }
    let rule = json!({
        "ref": "masked.on_hook",
        "trigger": "core.webhook",
        "trigger_parameters": {"name": "masked-hook"},
        "action": "masked.leak",
        "parameters": {"token": "{{ kv(\"rule_token\") }}"},
    });
    assert_eq!(api.call("POST", "/api/v1/rules", Some(rule)).await.0, 201);
    assert_eq!(api.call("POST", "/api/v1/webhooks", Some(json!({"name": "masked-hook"}))).await.0, 201);

    // By hand, from the rule, and again by re-run.
    let (status, manual) = api
        .call(
            "POST",
            "/api/v1/actions/masked.leak/execute",
            Some(json!({"parameters": {"token": TOKEN, "pin": 9182736455_i64}})),
        )
        .await;
    assert_eq!(status, 201);
    let manual = manual["data"]["id"].as_i64().unwrap();
    let (status, posted) = api.call("POST", "/api/v1/webhooks/masked-hook", Some(json!({"hello": "world"}))).await;
    assert_eq!(status, 202, "{posted}");
    let event = posted["data"]["event"].as_i64().unwrap();
    api.ended(2).await;
    assert_eq!(api.call("POST", &format!("/api/v1/executions/{manual}/rerun"), None).await.0, 201);
    let executions = api.ended(3).await;

    // They ran, the secrets reached the action, and what came back is masked.
    for execution in &executions {
        assert_eq!(execution["status"], "completed", "{execution}");
        let pin = if execution["rule_ref"].is_null() { json!("********") } else { json!(0) };
        assert_eq!(execution["result"], json!({"token": "********", "db": "********", "pin": pin}), "{execution}");
        assert_eq!(execution["parameters"]["token"], "********", "{execution}");
        let id = execution["id"].as_i64().unwrap();
        let (_, output) = api.call("GET", &format!("/api/v1/executions/{id}/output"), None).await;
        assert!(output.to_string().contains("token=******** db=********"), "{output}");
        api.call("GET", &format!("/api/v1/executions/{id}"), None).await;
    }
    let (_, enforcements) = api.call("GET", &format!("/api/v1/enforcements?event={event}"), None).await;
    let enforcement = enforcements["data"][0]["id"].as_i64().expect("the rule matched");
    for path in [
        format!("/api/v1/events/{event}"),
        "/api/v1/events".into(),
        format!("/api/v1/enforcements/{enforcement}"),
        "/api/v1/enforcements".into(),
        "/api/v1/executions".into(),
        "/api/v1/keys".into(),
        "/api/v1/keys/db_password".into(),
        "/api/v1/keys/rule_token".into(),
        "/api/v1/rules/masked.on_hook".into(),
        "/api/v1/actions/masked.leak".into(),
        "/api/v1/webhooks/masked-hook".into(),
    ] {
        let (status, _) = api.call("GET", &path, None).await;
        assert_eq!(status, 200, "{path}");
    }
    // Decryption on explicit request by a caller holding the grant is the one way back.
    let (_, decrypted) = server.call("GET", "/api/v1/keys/db_password?decrypt=true", Some(&api.token), None).await;
    assert_eq!(decrypted["data"]["value"], DB_PASSWORD);

    let notices = drain(&mut stream).await;
    assert!(notices.iter().any(|n| n.contains("token=******** db=********")), "output lines were streamed");
    let answers = api.answers.join("\n");
    assert!(server.stop(), "SIGTERM stops the server cleanly");

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("DEBUG"), "the log was written at debug level");
    let mut rows = Vec::new();
    for file in ["attune.db", "attune.db-wal"] {
        if let Ok(bytes) = std::fs::read(data_dir.join(file)) {
            rows.extend(bytes);
        }
    }
    assert!(!rows.is_empty());
    let rows = String::from_utf8_lossy(&rows);
    let forms = disguised();
    for secret in SECRETS.iter().copied().chain(forms.iter().map(String::as_str)) {
        for (place, text) in
            [("API answers", answers.clone()), ("notices", notices.join("\n")), ("server log", log.clone())]
        {
            assert!(!text.contains(secret), "{secret} in clear in the {place}");
        }
        assert!(!rows.contains(secret), "{secret} in clear in the database files");
    }
}
