//! Actions call the API back: a Python action reads `ATTUNE_API_URL` from its environment
//! and its token from its stdin document (no credential is ever in the environment), and
//! fetches its own execution as the identity that requested it; once the execution has
//! ended the same token is refused.

use serde_json::json;

use crate::support::{Server, attune, own_packs_dir, share_with_actions};

const PASSWORD: &str = "callback-e2e-password";

/// Fetches its own execution and who it acts as, and leaves its token in `token_file` for
/// the test to try afterwards.
const CALLBACK: &str = r#"import json, os, sys, urllib.request

document = json.load(sys.stdin)
params, token = document["parameters"], document["api_token"]
url = os.environ["ATTUNE_API_URL"]
assert not any("TOKEN" in name for name in os.environ), "no credential in the environment"
with open(params["token_file"], "w") as f:
    f.write(token)

def get(path):
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["data"]

me = get("/api/v1/auth/me")
mine = get("/api/v1/executions/" + os.environ["ATTUNE_EXEC_ID"])
print("calling back as " + token, file=sys.stderr)
print(json.dumps({"login": me["login"], "status": mine["status"]}))
"#;

#[tokio::test]
async fn an_action_calls_the_api_back_while_it_runs_and_only_then() {
    let scratch = tempfile::tempdir().unwrap();
    let mut command = attune(&scratch.path().join("data"));
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    let shared = scratch.path().join("shared");
    share_with_actions(&mut command, &shared);
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    let token = server.login("admin", PASSWORD).await;

    let pack = packs.join("callback");
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    std::fs::write(pack.join("pack.yaml"), "ref: callback\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        pack.join("actions/whoami.yaml"),
        "runner_type: python\nentry_point: whoami.py\nparameters:\n  token_file: {type: string, required: true}\n",
    )
    .unwrap();
    std::fs::write(pack.join("actions/whoami.py"), CALLBACK).unwrap();
    let (status, registered) =
        server.call("POST", "/api/v1/packs/register", Some(&token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 200, "{registered}");

    let token_file = shared.join("token");
    let (status, created) = server
        .call(
            "POST",
            "/api/v1/actions/callback.whoami/execute",
            Some(&token),
            Some(json!({"parameters": {"token_file": token_file}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let execution = loop {
        let (_, shown) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(&token), None).await;
        if ["completed", "failed", "timeout"].contains(&shown["data"]["status"].as_str().unwrap()) {
            break shown["data"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(execution["status"], "completed", "{execution}");
    assert_eq!(execution["result"], json!({"login": "admin", "status": "running"}));

    let (_, output) = server.call("GET", &format!("/api/v1/executions/{id}/output"), Some(&token), None).await;
    assert!(output.to_string().contains("calling back as ********"), "the token is masked in output: {output}");
    let action_token = std::fs::read_to_string(&token_file).unwrap();
    let (status, refused) = server.call("GET", "/api/v1/auth/me", Some(&action_token), None).await;
    assert_eq!(status, 401, "the execution has ended: {refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("has ended"), "{refused}");
}
