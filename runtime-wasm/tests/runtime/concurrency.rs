//! Many executions at once share the engine and components, and nothing else.

use attune_runtime_api::{FailureKind, Runtime};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_executions_are_isolated() {
    let sandbox = Sandbox::new();
    let echo = sandbox.guest("echo", &guests::echo_with_secret());
    let bomb = sandbox.guest("bomb", &guests::memory_bomb());
    let spinner = sandbox.guest("spinner", &guests::infinite_loop());

    let mut running = Vec::new();
    for n in 0..100u32 {
        let entry_point = match n % 10 {
            3 => &bomb,
            7 => &spinner,
            _ => &echo,
        };
        let mut request = request(entry_point, json!({"n": n}));
        request.context.execution_id = i64::from(n);
        request.secrets.insert("token".into(), format!("secret-{n}"));
        request.limits.fuel = 50_000_000;
        request.limits.memory_bytes = 8 << 20;
        let runtime = sandbox.runtime.clone();
        running.push(tokio::spawn(async move {
            let (io, recorder) = recorded_io();
            (n, runtime.execute(request, io).await, recorder)
        }));
    }

    let mut succeeded = 0;
    for task in running {
        let (n, outcome, recorder) = task.await.expect("execution task");
        match n % 10 {
            3 => assert_eq!(outcome.result.unwrap_err().kind, FailureKind::MemoryLimit),
            7 => assert_eq!(outcome.result.unwrap_err().kind, FailureKind::FuelExhausted),
            _ => {
                assert_eq!(
                    outcome.result,
                    Ok(json!({"params": {"n": n}, "token": format!("secret-{n}")})),
                    "execution {n} sees only its own parameters and secret"
                );
                assert!(recorder.lines().is_empty());
                succeeded += 1;
            }
        }
    }
    assert_eq!(succeeded, 80);
    assert_eq!(sandbox.runtime.stats().compiled, 3, "each component compiled once");
}
