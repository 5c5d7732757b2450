//! Scheduling without a capable worker: an execution waits `requested` for one, then fails
//! `unschedulable` once it has waited too long.

mod support;

use std::time::Duration;

use attune_domain::status::ExecutionStatus::*;
use attune_executor::scheduler::Placement;
use attune_test_support::Backend;
use serde_json::json;
use support::{CONFIG, World};

#[tokio::test]
async fn an_execution_nobody_can_run_waits_then_fails_unschedulable() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let world = World::new(backend).await;
        // The world's worker runs shell actions only; core.http is a Python action.
        let id = world.requested_of("core.http", json!({"url": "https://example.com"})).await;
        assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Waiting);
        assert_eq!(world.status(id).await, Requested, "back to waiting for a worker");

        world.clock.advance(CONFIG.unschedulable_after + Duration::from_secs(1));
        assert_eq!(world.scheduler().schedule(id).await.unwrap(), Placement::Unschedulable);
        let execution = world.store.store.get_execution(id).await.unwrap();
        assert_eq!(execution.status, Failed);
        let error = &execution.result.unwrap()["error"];
        assert_eq!(error["kind"], "unschedulable");
        assert!(error["message"].as_str().unwrap().contains("runner type 'python'"), "{error}");
    }
}
