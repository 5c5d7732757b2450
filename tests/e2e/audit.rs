//! The audit log through the real server: rule edits with their definitions before and
//! after, refusals with who tried, key decryptions asked of the API, secrets a worker
//! decrypted for an action — and no secret value anywhere in it; only administrators read it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, attune, own_packs_dir, register_shell_pack};

const PASSWORD: &str = "audit-admin-password";
const VIEWER_PASSWORD: &str = "audit-viewer-password";
const SECRET: &str = "s3cr3t-value-that-must-never-be-logged";

/// Every audit entry matching `query`, newest first.
async fn audit(server: &Server, token: &str, query: &str) -> Vec<Value> {
    let (status, page) = server.call("GET", &format!("/api/v1/audit?page_size=1000&{query}"), Some(token), None).await;
    assert_eq!(status, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn changes_refusals_and_decryptions_are_recorded_without_secrets() {
    let scratch = tempfile::tempdir().unwrap();
    let mut command = attune(&scratch.path().join("data"));
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    let packs = own_packs_dir(&mut command, &scratch.path().join("packs"));
    let server = Server::start(command);
    let admin = server.login("admin", PASSWORD).await;

    let script = "test -n \"$SECRET_DB_PASSWORD\" && echo '{}'\n";
    register_shell_pack(&server, &admin, &packs, ("audited", "use"), "secrets: [db_password]\n", script).await;
    let call = |method: &'static str, path: String, token: String, body: Option<Value>| {
        let server = &server;
        async move { server.call(method, &path, Some(&token), body).await }
    };
    let key = json!({"value": SECRET, "encrypted": true});
    assert_eq!(call("PUT", "/api/v1/keys/db_password".into(), admin.clone(), Some(key)).await.0, 201);
    let binding = json!({"scope": "system", "key": "db_password"});
    assert_eq!(
        call("PUT", "/api/v1/packs/audited/secrets/db_password".into(), admin.clone(), Some(binding)).await.0,
        201
    );

    // A rule created, changed, disabled and deleted.
    let rule = json!({"ref": "audited.on_hook", "trigger": "core.webhook", "trigger_parameters": {"name": "audit-hook"},
        "action": "core.echo", "parameters": {"message": "first"}});
    assert_eq!(call("POST", "/api/v1/rules".into(), admin.clone(), Some(rule.clone())).await.0, 201);
    let mut changed = rule.clone();
    changed["parameters"]["message"] = json!("second");
    let (status, body) = call("PUT", "/api/v1/rules/audited.on_hook".into(), admin.clone(), Some(changed)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call("POST", "/api/v1/rules/audited.on_hook/disable".into(), admin.clone(), None).await.0, 200);

    // A viewer may not change it, decrypt a key or read the log; each try is recorded as theirs.
    let viewer = json!({"login": "vera", "password": VIEWER_PASSWORD});
    assert_eq!(call("POST", "/api/v1/identities".into(), admin.clone(), Some(viewer)).await.0, 201);
    let assign = call("PUT", "/api/v1/identities/vera/permission-sets/viewer".into(), admin.clone(), None).await;
    assert!(assign.0 < 300, "{assign:?}");
    let vera = server.login("vera", VIEWER_PASSWORD).await;
    let (status, _) = call("PUT", "/api/v1/rules/audited.on_hook".into(), vera.clone(), Some(rule.clone())).await;
    assert_eq!(status, 403);
    // Without a valid credential: refused and not recorded (anyone could fill the log).
    let (status, _) =
        server.call("PUT", "/api/v1/rules/audited.on_hook", Some("not-a-token"), Some(rule.clone())).await;
    assert_eq!(status, 401);
    let (refused_decrypt, _) = call("GET", "/api/v1/keys/db_password?decrypt=true".into(), vera.clone(), None).await;
    assert!(refused_decrypt == 403 || refused_decrypt == 404, "{refused_decrypt}");
    let (status, body) = server.call("GET", "/api/v1/audit", Some(&vera), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{body}");

    let (status, decrypted) = call("GET", "/api/v1/keys/db_password?decrypt=true".into(), admin.clone(), None).await;
    assert_eq!((status, decrypted["data"]["value"].as_str()), (200, Some(SECRET)));
    assert_eq!(call("DELETE", "/api/v1/rules/audited.on_hook".into(), admin.clone(), None).await.0, 204);

    // An action granted the secret: the worker's decryption is recorded with the execution.
    let (status, run) =
        call("POST", "/api/v1/actions/audited.use/execute".into(), admin.clone(), Some(json!({}))).await;
    assert_eq!(status, 201, "{run}");
    let execution = run["data"]["id"].as_i64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, shown) = call("GET", format!("/api/v1/executions/{execution}"), admin.clone(), None).await;
        if shown["data"]["status"] == "completed" {
            break;
        }
        assert!(Instant::now() < deadline, "{shown}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let on_rule = audit(&server, &admin, "resource_type=rule&resource_ref=audited.on_hook").await;
    let acts: Vec<(&str, &str, &str)> = on_rule
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor_login"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        acts,
        [
            ("DELETE /api/v1/rules/{rule_ref}", "admin", "ok"),
            ("PUT /api/v1/rules/{rule_ref}", "vera", "refused"),
            ("POST /api/v1/rules/{rule_ref}/disable", "admin", "ok"),
            ("PUT /api/v1/rules/{rule_ref}", "admin", "ok"),
            ("POST /api/v1/rules", "admin", "ok"),
        ]
    );
    let [deleted, refused, disabled, updated, created] = &on_rule[..] else { unreachable!() };
    assert_eq!(created["before"], Value::Null);
    assert_eq!(created["after"]["action_params"]["message"], "first");
    assert_eq!(updated["before"]["action_params"]["message"], "first");
    assert_eq!(updated["after"]["action_params"]["message"], "second");
    assert_eq!(
        (disabled["before"]["enabled"].as_bool(), disabled["after"]["enabled"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!((refused["status"].as_i64(), refused["after"].is_null()), (Some(403), true));
    assert_eq!((deleted["before"]["ref"].as_str(), deleted["after"].is_null()), (Some("audited.on_hook"), true));
    assert_eq!(created["source"], "127.0.0.1", "from where");

    let decrypts = audit(&server, &admin, "action=key.decrypt").await;
    let who: Vec<(&str, &str)> =
        decrypts.iter().map(|e| (e["actor_login"].as_str().unwrap(), e["outcome"].as_str().unwrap())).collect();
    assert_eq!(who, [("admin", "ok"), ("vera", "refused")]);
    let by_worker = audit(&server, &admin, "action=secret.decrypt").await;
    assert_eq!(by_worker.len(), 1, "{by_worker:?}");
    assert_eq!(
        by_worker[0]["detail"],
        json!({"execution": execution, "action": "audited.use", "secret": "db_password"})
    );
    assert_eq!(by_worker[0]["resource_ref"], "system:/db_password");
    assert_eq!(by_worker[0]["source"], "worker embedded");

    // Nothing secret anywhere in the log: key values, passwords.
    let everything = Value::Array(audit(&server, &admin, "").await).to_string();
    for secret in [SECRET, PASSWORD, VIEWER_PASSWORD] {
        assert!(!everything.contains(secret), "the audit log holds a secret");
    }
    let identities = audit(&server, &admin, "resource_type=identity").await;
    assert!(identities.iter().any(|e| e["action"] == "POST /api/v1/identities" && e["after"]["login"] == "vera"));
    // Reads other than decryptions are not recorded.
    assert!(audit(&server, &admin, "").await.iter().all(|e| !e["action"].as_str().unwrap().starts_with("GET ")));
    let (status, body) = server.call("GET", "/api/v1/audit?outcome=maybe", Some(&admin), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")));
}
