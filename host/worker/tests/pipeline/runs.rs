//! Executions that run to the end: every runtime, results, output, failures, limits.

use attune_domain::key::{KeyOwner, NewKey};
use attune_domain::status::ExecutionStatus;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::{Options, Pipeline};

backend_tests!(
    a_shell_action_completes_with_its_output,
    a_wasm_action_completes_with_metering,
    a_wasm_action_reads_its_granted_secret,
    a_system_secret_reaches_an_action_only_through_a_binding,
    failures_and_timeouts_end_with_their_status,
    two_workers_share_the_load,
    a_workflow_runs_its_tasks_on_the_workers,
    secrets_never_reach_output_or_results,
    a_result_that_breaks_its_output_schema_fails,
);

async fn a_shell_action_completes_with_its_output(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let execution = pipeline.run("core.echo", json!({"message": "héllo, pipeline"})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.result, Some(json!({"stdout": "héllo, pipeline\n"})));
    assert!(execution.started.is_some() && execution.finished.is_some() && execution.worker.is_some());
    let output = pipeline.output(execution.id).await;
    assert_eq!(output, vec![("stdout".to_string(), "héllo, pipeline".to_string())]);
    // A subprocess carries its cost like a WebAssembly guest: CPU, memory, wall time.
    let metering = execution.metering.expect("native executions are metered");
    for field in ["cpu_ms", "peak_memory_bytes", "wall_ms"] {
        assert!(metering[field].is_u64(), "{field} in {metering}");
    }
    assert!(metering["peak_memory_bytes"].as_u64().unwrap() > 0, "{metering}");
    pipeline.stop().await;
}

async fn a_wasm_action_completes_with_metering(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let execution = pipeline.run("examples-wasm.echo", json!({"message": "from the sandbox"})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.result, Some(json!({"message": "from the sandbox"})));
    let metering = execution.metering.expect("wasm executions are metered");
    assert!(metering["fuel_consumed"].as_u64().unwrap() > 0, "{metering}");
    assert!(metering["peak_memory_bytes"].as_u64().unwrap() > 0, "{metering}");
    assert!(
        pipeline.output(execution.id).await.iter().any(|(stream, _)| stream == "log"),
        "the guest's log lines are stored"
    );
    pipeline.stop().await;
}

async fn a_wasm_action_reads_its_granted_secret(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let pack = pipeline.platform.store.get_pack("examples-wasm").await.unwrap();
    let sealed = pipeline.platform.cipher.encrypt("s3cr3t-token");
    pipeline
        .platform
        .store
        .put_key(&NewKey {
            owner: KeyOwner::Pack { id: pack.id, r#ref: pack.r#ref.clone() },
            name: "api_token".into(),
            value: sealed,
            encrypted: true,
            encryption_key_hash: Some(pipeline.platform.cipher.fingerprint().into()),
            expires_at: None,
        })
        .await
        .unwrap();
    let execution = pipeline.run("examples-wasm.use_secret", json!({})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.result, Some(json!({"authenticated": true, "token_length": 12})));
    pipeline.stop().await;
}

async fn a_system_secret_reaches_an_action_only_through_a_binding(backend: Backend) {
    use attune_services::secret_bindings::{BoundKey, bind};
    let pipeline = Pipeline::start(backend).await;
    let cipher = &pipeline.platform.cipher;
    let key = NewKey {
        owner: KeyOwner::System,
        name: "shared_token".into(),
        value: cipher.encrypt("system-wide-token"),
        encrypted: true,
        encryption_key_hash: Some(cipher.fingerprint().into()),
        expires_at: None,
    };
    pipeline.platform.store.put_key(&key).await.unwrap();
    // The action asks for `api_token`; the system has a key by another name, and nothing
    // of the pack's files can reach it.
    let unbound = pipeline.run("examples-wasm.use_secret", json!({})).await;
    assert_eq!(unbound.status, ExecutionStatus::Failed, "{:?}", unbound.result);

    let admin = pipeline.admin().await;
    let bound = BoundKey::System("shared_token".into());
    bind(&pipeline.platform, &admin, "examples-wasm", "api_token", bound).await.unwrap();
    let granted = pipeline.run("examples-wasm.use_secret", json!({})).await;
    assert_eq!(granted.status, ExecutionStatus::Completed, "{:?}", granted.result);
    assert_eq!(granted.result, Some(json!({"authenticated": true, "token_length": 17})));

    let operator = pipeline.identity_with("ops", "operator").await;
    let tokens = pipeline.platform.tokens.issue(operator, "ops");
    let caller = attune_services::auth::authenticate(&pipeline.platform, &tokens.access_token).await.unwrap();
    let refused = bind(&pipeline.platform, &caller, "examples-wasm", "other", BoundKey::System("x".into())).await;
    assert!(matches!(refused, Err(attune_services::ServiceError::Forbidden(_))), "{refused:?}");
    pipeline.stop().await;
}

async fn failures_and_timeouts_end_with_their_status(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let failed = pipeline.run("core.local", json!({"cmd": "echo broken >&2; exit 3"})).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    let result = failed.result.unwrap();
    assert_eq!(result["error"]["kind"], "nonzero_exit", "{result}");
    assert_eq!(result["exit_code"], 3);
    assert!(pipeline.output(failed.id).await.contains(&("stderr".to_string(), "broken".to_string())));

    pipeline
        .register_pack(
            "slow",
            &[
                ("actions/nap.yaml", "runner_type: shell\nentry_point: nap.sh\ntimeout: 1\n"),
                ("actions/nap.sh", "echo napping\nsleep 30\n"),
            ],
        )
        .await;
    let started = std::time::Instant::now();
    let timed_out = pipeline.run("slow.nap", json!({})).await;
    assert_eq!(timed_out.status, ExecutionStatus::Timeout, "{:?}", timed_out.result);
    assert_eq!(timed_out.result.unwrap()["error"]["kind"], "timeout");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "stopped at its limit, not at the end of the sleep"
    );
    pipeline.stop().await;
}

async fn two_workers_share_the_load(backend: Backend) {
    let pipeline = Pipeline::start_with(backend, Options { workers: 2, concurrency: 2, ..Options::default() }).await;
    let mut ids = Vec::new();
    for n in 0..8 {
        ids.push(pipeline.request("core.echo", json!({"message": format!("job {n}")})).await);
    }
    let mut workers = std::collections::BTreeSet::new();
    for id in ids {
        let execution = pipeline.finished(id).await;
        assert_eq!(execution.status, ExecutionStatus::Completed);
        workers.insert(execution.worker.unwrap());
    }
    assert_eq!(workers.len(), 2, "both workers ran executions");
    pipeline.stop().await;
}

async fn a_workflow_runs_its_tasks_on_the_workers(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let flow = "tasks:\n  only: {action: core.echo, input: {message: hi}, next: [{publish: {said: \"{{ result() }}\"}}]}\noutput: {said: \"{{ vars.said }}\"}\n";
    pipeline.register_pack("flows", &[("workflows/one.yaml", flow)]).await;
    let execution = pipeline.run("flows.one", json!({})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.worker, None, "the executor runs the graph");
    let said = execution.result.unwrap()["said"].clone();
    assert!(said.to_string().contains("hi"), "{said}");
    pipeline.stop().await;
}

async fn secrets_never_reach_output_or_results(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    pipeline.register_pack("leaky", &[
        ("actions/leak.yaml", "runner_type: shell\nentry_point: leak.sh\nsecrets: [db_password]\nparameters:\n  token: {type: string, secret: true, required: true}\n"),
        ("actions/leak.sh", "echo \"token=$PARAM_TOKEN\" >&2\necho \"db=$SECRET_DB_PASSWORD\" >&2\nprintf '{\"echo\": \"%s\", \"db\": \"%s\"}' \"$PARAM_TOKEN\" \"$SECRET_DB_PASSWORD\"\n"),
    ]).await;
    // The pack's own secret reaches its action without an administrator's binding.
    let pack = pipeline.platform.store.get_pack("leaky").await.unwrap();
    pipeline
        .platform
        .store
        .put_key(&NewKey {
            owner: KeyOwner::Pack { id: pack.id, r#ref: pack.r#ref },
            name: "db_password".into(),
            value: pipeline.platform.cipher.encrypt("correct-horse-db"),
            encrypted: true,
            encryption_key_hash: None,
            expires_at: None,
        })
        .await
        .unwrap();
    let execution = pipeline.run("leaky.leak", json!({"token": "tok-very-secret"})).await;
    assert_eq!(execution.status, ExecutionStatus::Completed, "{:?}", execution.result);
    assert_eq!(execution.result, Some(json!({"echo": "********", "db": "********"})));
    let output = pipeline.output(execution.id).await;
    assert!(output.contains(&("stderr".to_string(), "token=********".to_string())), "{output:?}");
    assert!(output.contains(&("stderr".to_string(), "db=********".to_string())), "{output:?}");
    let stored = serde_json::to_string(&pipeline.platform.store.get_execution(execution.id).await.unwrap()).unwrap();
    assert!(!stored.contains("tok-very-secret") && !stored.contains("correct-horse-db"), "{stored}");
    pipeline.stop().await;
}

async fn a_result_that_breaks_its_output_schema_fails(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let schema = "output_schema:\n  type: object\n  required: [id]\n  properties: {id: {type: integer}}\n";
    pipeline
        .register_pack(
            "shaped",
            &[
                ("actions/good.yaml", &format!("runner_type: shell\nentry_point: good.sh\n{schema}")),
                ("actions/good.sh", "echo '{\"id\": 7}'\n"),
                ("actions/bad.yaml", &format!("runner_type: shell\nentry_point: bad.sh\n{schema}")),
                ("actions/bad.sh", "echo '{\"id\": \"seven-s3cret\"}'\n"),
            ],
        )
        .await;
    let good = pipeline.run("shaped.good", json!({})).await;
    assert_eq!(good.status, ExecutionStatus::Completed, "{:?}", good.result);
    assert_eq!(good.result, Some(json!({"id": 7})));

    let bad = pipeline.run("shaped.bad", json!({})).await;
    assert_eq!(bad.status, ExecutionStatus::Failed);
    let error = &bad.result.unwrap()["error"];
    assert_eq!(error["kind"], "invalid_output");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("/id"), "names the field: {message}");
    assert!(!message.contains("seven-s3cret"), "never the value: {message}");
}
