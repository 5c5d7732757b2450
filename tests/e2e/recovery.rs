//! A crash loses no accepted execution and runs none twice: `kill -9` the embedded server
//! while executions are in flight, start it again, and check every execution ends and no
//! action ran twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, attune, own_packs_dir, share_with_actions};

const EXECUTIONS: usize = 50;

#[tokio::test]
async fn kill_dash_nine_mid_run_loses_nothing_and_runs_nothing_twice() {
    let data = tempfile::tempdir().unwrap();
    let shared = data.path().join("shared");
    let ledger = shared.join("ledger.txt");
    let packs = data.path().join("packs");
    let pack = packs.join("crashy");
    std::fs::create_dir_all(pack.join("actions")).unwrap();
    std::fs::write(pack.join("pack.yaml"), "ref: crashy\nversion: 1.0.0\n").unwrap();
    std::fs::write(
        pack.join("actions/append.yaml"),
        "runner_type: shell\nentry_point: append.sh\nparameters:\n  ledger: {type: string, required: true}\n  seconds: {type: number, default: 0}\n",
    )
    .unwrap();
    // Records that it ran, then takes its time.
    std::fs::write(
        pack.join("actions/append.sh"),
        "echo \"$ATTUNE_EXEC_ID\" >> \"$PARAM_LEDGER\"\nsleep \"$PARAM_SECONDS\"\necho '{}'\n",
    )
    .unwrap();

    let mut command = attune(data.path());
    command.env("ATTUNE_ADMIN_PASSWORD", "crash-test-password").env("ATTUNE__WORKER__CONCURRENCY", "8");
    share_with_actions(&mut command, &shared);
    own_packs_dir(&mut command, &packs);
    let server = Server::start(command);
    let token = server.login("admin", "crash-test-password").await;
    let (status, _) = server.call("POST", "/api/v1/packs/register", Some(&token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 200);

    let mut ids = Vec::new();
    for n in 0..EXECUTIONS {
        let seconds = if n % 2 == 0 { 3 } else { 0 };
        let body = json!({"parameters": {"ledger": ledger, "seconds": seconds}});
        let (status, created) =
            server.call("POST", "/api/v1/actions/crashy.append/execute", Some(&token), Some(body)).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["data"]["id"].as_i64().unwrap());
    }
    // Crash once some are running and some are still waiting.
    wait_until(Duration::from_secs(60), || any_in(&server, &token, "running")).await;
    server.kill();

    let server = Server::start({
        let mut command = attune(data.path());
        command.env("ATTUNE__WORKER__CONCURRENCY", "8");
        share_with_actions(&mut command, &shared);
        command
    });
    let token = server.login("admin", "crash-test-password").await;
    let mut ended = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while ended.len() < ids.len() {
        assert!(Instant::now() < deadline, "not every execution ended after the restart: {ended:?}");
        for id in &ids {
            let (_, body) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(&token), None).await;
            let status = body["data"]["status"].as_str().unwrap_or_default().to_owned();
            if ["completed", "failed", "abandoned", "cancelled", "timeout"].contains(&status.as_str()) {
                ended.insert(*id, status);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let ledger = std::fs::read_to_string(&ledger).unwrap_or_default();
    let mut runs: HashMap<i64, usize> = HashMap::new();
    for line in ledger.lines() {
        *runs.entry(line.trim().parse().unwrap()).or_default() += 1;
    }
    for (id, status) in &ended {
        let times = runs.get(id).copied().unwrap_or(0);
        assert!(times <= 1, "execution {id} ran {times} times");
        match status.as_str() {
            "completed" => assert_eq!(times, 1, "completed execution {id} ran once"),
            "abandoned" => assert_eq!(times, 1, "abandoned execution {id} had started"),
            other => panic!("execution {id} ended {other}"),
        }
    }
    let abandoned = ended.values().filter(|s| *s == "abandoned").count();
    assert!(abandoned > 0, "the crash caught executions mid-run: {ended:?}");
    assert!(ended.values().filter(|s| *s == "completed").count() > EXECUTIONS / 2);
}

/// Whether any execution has `status`.
async fn any_in(server: &Server, token: &str, status: &str) -> bool {
    let (_, body): (u16, Value) =
        server.call("GET", &format!("/api/v1/executions?status={status}&page_size=1"), Some(token), None).await;
    body["pagination"]["total"].as_u64().unwrap_or(0) > 0
}

/// Polls `condition` until it holds, failing the test after `limit`.
async fn wait_until<F, Fut>(limit: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !condition().await {
        assert!(Instant::now() < deadline, "condition not met within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_delayed_execution_survives_a_kill_and_runs_when_its_time_comes() {
    let data = tempfile::tempdir().unwrap();
    let start = || {
        let mut command = attune(data.path());
        command.env("ATTUNE_ADMIN_PASSWORD", "delay-test-password").env("ATTUNE__EXECUTOR__RECONCILE_EVERY_S", "1");
        Server::start(command)
    };
    let server = start();
    let token = server.login("admin", "delay-test-password").await;
    let (status, created) =
        server.call("POST", "/api/v1/actions/core.noop/execute", Some(&token), Some(json!({"delay_s": 3}))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["status"], "delayed");
    let id = created["data"]["id"].as_i64().unwrap();
    server.kill();

    let server = start();
    let token = server.login("admin", "delay-test-password").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, shown) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(&token), None).await;
        if shown["data"]["status"] == "completed" {
            let started = chrono::DateTime::parse_from_rfc3339(shown["data"]["started"].as_str().unwrap()).unwrap();
            let due = chrono::DateTime::parse_from_rfc3339(shown["data"]["run_after"].as_str().unwrap()).unwrap();
            assert!(started >= due, "it did not run before its time: started {started}, due {due}");
            break;
        }
        assert!(Instant::now() < deadline, "still {} after a minute", shown["data"]["status"]);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Requests acknowledged before the kill, at which it comes.
const ACKNOWLEDGED_BEFORE_THE_KILL: usize = 400;

#[tokio::test]
async fn kill_dash_nine_right_after_answers_under_load_loses_no_acknowledged_request() {
    let data = tempfile::tempdir().unwrap();
    let start = || {
        let mut command = attune(data.path());
        command.env("ATTUNE_ADMIN_PASSWORD", "crash-test-password");
        Server::start(command)
    };
    let server = start();
    let token = server.login("admin", "crash-test-password").await;
    let (status, _) = server.call("POST", "/api/v1/webhooks", Some(&token), Some(json!({"name": "flood"}))).await;
    assert_eq!(status, 201);

    // Eight clients post events and request executions as fast as they are answered, so
    // that writes are always grouped; each acknowledgement is recorded as it arrives.
    let client = reqwest::Client::new();
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(&'static str, i64)>::new()));
    let enough = std::sync::Arc::new(tokio::sync::Notify::new());
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..8 {
        let (client, url, token) = (client.clone(), server.url.clone(), token.clone());
        let (acknowledged, enough) = (acknowledged.clone(), enough.clone());
        clients.spawn(async move {
            loop {
                let (path, body, kind) = if n % 2 == 0 {
                    ("/api/v1/webhooks/flood".to_owned(), json!({"n": n}), "event")
                } else {
                    let body = json!({"parameters": {"message": "acknowledged"}});
                    ("/api/v1/actions/examples-wasm.echo/execute".to_owned(), body, "execution")
                };
                let Ok(response) = client.post(format!("{url}{path}")).bearer_auth(&token).json(&body).send().await
                else {
                    return; // the server is gone
                };
                let status = response.status().as_u16();
                let Ok(answer) = response.json::<Value>().await else { return };
                assert!(status == 201 || status == 202, "{status}: {answer}");
                let id = answer["data"]["event"].as_i64().or_else(|| answer["data"]["id"].as_i64()).unwrap();
                let mut acknowledged = acknowledged.lock().unwrap();
                acknowledged.push((kind, id));
                if acknowledged.len() == ACKNOWLEDGED_BEFORE_THE_KILL {
                    enough.notify_one();
                }
            }
        });
    }
    enough.notified().await;
    server.kill();
    while clients.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_THE_KILL);

    // Every request answered before the kill is in the store after the restart.
    let server = start();
    let token = server.login("admin", "crash-test-password").await;
    for (kind, id) in &acknowledged {
        let path = if *kind == "event" { format!("/api/v1/events/{id}") } else { format!("/api/v1/executions/{id}") };
        let (status, body) = server.call("GET", &path, Some(&token), None).await;
        assert_eq!(status, 200, "acknowledged {kind} {id} lost in the crash: {body}");
    }
    let events = acknowledged.iter().filter(|(kind, _)| *kind == "event").count();
    assert!(events > 0 && events < acknowledged.len(), "both kinds of request were acknowledged");
}
