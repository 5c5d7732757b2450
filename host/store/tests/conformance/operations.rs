//! Runtimes, notifications and artifacts.

use attune_domain::artifact::NewArtifact;
use attune_domain::execution::ExecutionPatch;
use attune_domain::status::{ExecutionStatus, NotificationState};
use serde_json::json;

use crate::support::*;

conformance_tests!(
    creates_and_updates_a_runtime_by_ref,
    a_runtime_name_taken_by_another_ref_is_a_conflict,
    lists_runtimes_in_ref_order_page_by_page,
    deletes_a_runtime,
    lists_notifications_after_an_id_oldest_first,
    sets_the_delivery_state_of_a_notification,
    purges_notifications_created_before_a_time,
    creates_and_reads_an_artifact,
    lists_artifacts_newest_first_by_execution,
    deletes_an_artifact,
    a_file_artifact_keeps_its_bytes_until_it_is_deleted,
    a_file_artifact_in_the_directory_is_named_until_it_is_deleted,
    the_backlog_counts_work_accepted_and_not_yet_taken_up,
);

async fn creates_and_updates_a_runtime_by_ref(store: &TestStore) {
    let created = store.upsert_runtime(&new_runtime("core.wasm", "wasm")).await.unwrap();
    assert_eq!((created.r#ref.as_str(), created.name.as_str()), ("core.wasm", "wasm"));
    assert_eq!((created.pack, created.pack_ref.clone()), (None, None));
    assert_eq!(created.execution_config, json!({"command": "wasm"}));
    assert_eq!(store.get_runtime("core.wasm").await.unwrap(), created);

    let mut changed = new_runtime("core.wasm", "wasm");
    changed.description = None;
    changed.execution_config = json!({"pooling": true});
    let updated = store.upsert_runtime(&changed).await.unwrap();
    assert_eq!((updated.id, updated.created), (created.id, created.created));
    assert_eq!((updated.description.as_deref(), &updated.execution_config), (None, &json!({"pooling": true})));
    assert_eq!(store.get_runtime("core.wasm").await.unwrap(), updated);
}

async fn a_runtime_name_taken_by_another_ref_is_a_conflict(store: &TestStore) {
    let wasm = store.upsert_runtime(&new_runtime("core.wasm", "wasm")).await.unwrap();
    assert_conflict(store.upsert_runtime(&new_runtime("other.wasm", "wasm")).await);
    assert_not_found(store.get_runtime("other.wasm").await);
    assert_eq!(store.get_runtime("core.wasm").await.unwrap(), wasm);
}

async fn lists_runtimes_in_ref_order_page_by_page(store: &TestStore) {
    for (runtime_ref, name) in [("core.shell", "shell"), ("core.node", "node"), ("core.python", "python")] {
        store.upsert_runtime(&new_runtime(runtime_ref, name)).await.unwrap();
    }
    let first = store.list_runtimes(page(1, 2)).await.unwrap();
    assert_eq!(refs!(first), ["core.node", "core.python"]);
    assert_eq!((first.total, first.request), (3, page(1, 2)));
    assert_eq!(refs!(store.list_runtimes(page(2, 2)).await.unwrap()), ["core.shell"]);
}

async fn deletes_a_runtime(store: &TestStore) {
    store.upsert_runtime(&new_runtime("core.shell", "shell")).await.unwrap();
    store.delete_runtime("core.shell").await.unwrap();
    assert_not_found(store.get_runtime("core.shell").await);
    assert_not_found(store.delete_runtime("core.shell").await);
    // Its name is free again.
    store.upsert_runtime(&new_runtime("other.shell", "shell")).await.unwrap();
}

async fn lists_notifications_after_an_id_oldest_first(store: &TestStore) {
    let mut created = Vec::new();
    for entity in ["1", "2", "3", "4"] {
        created.push(store.create_notification(&new_notification(entity)).await.unwrap());
    }
    let first = &created[0];
    assert_eq!((first.channel.as_str(), first.entity_type.as_str()), ("execution", "execution"));
    assert_eq!((first.entity.as_str(), first.activity.as_str()), ("1", "status_changed"));
    assert_eq!((first.state, first.content.clone()), (NotificationState::Created, json!({"status": "running"})));

    let every_one = store.list_notifications(0, 100).await.unwrap();
    assert_eq!(every_one, created);
    let after_first = store.list_notifications(created[0].id, 2).await.unwrap();
    assert_eq!(after_first, created[1..3]);
    assert!(store.list_notifications(created[3].id, 100).await.unwrap().is_empty());
}

async fn sets_the_delivery_state_of_a_notification(store: &TestStore) {
    let created = store.create_notification(&new_notification("1")).await.unwrap();
    for state in [NotificationState::Queued, NotificationState::Processing, NotificationState::Error] {
        store.set_notification_state(created.id, state).await.unwrap();
        let stored = store.list_notifications(0, 10).await.unwrap().remove(0);
        assert_eq!((stored.id, stored.state), (created.id, state));
        assert!(stored.updated >= created.updated);
    }
    assert_not_found(store.set_notification_state(created.id + 1, NotificationState::Queued).await);
}

async fn purges_notifications_created_before_a_time(store: &TestStore) {
    let old = store.create_notification(&new_notification("old")).await.unwrap();
    let recent = store.create_notification(&new_notification("recent")).await.unwrap();
    assert!(old.created < recent.created, "the purge check needs distinct creation times");

    assert_eq!(store.purge_notifications(old.created).await.unwrap(), 0);
    assert_eq!(store.purge_notifications(recent.created).await.unwrap(), 1);
    assert_eq!(store.list_notifications(0, 10).await.unwrap(), [recent]);
    assert_eq!(store.purge_notifications(now() + chrono::Duration::seconds(1)).await.unwrap(), 1);
    assert!(store.list_notifications(0, 10).await.unwrap().is_empty());
}

async fn creates_and_reads_an_artifact(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let declared = new_artifact("report", Some(execution.id));
    let artifact = store.create_artifact(&declared).await.unwrap();
    assert_eq!(
        (artifact.r#ref.as_str(), artifact.scope, artifact.owner.as_str()),
        ("report", declared.scope, "sample.notify")
    );
    assert_eq!(
        (artifact.artifact_type, artifact.retention_policy),
        (declared.artifact_type, declared.retention_policy)
    );
    assert_eq!((artifact.retention_limit, artifact.execution), (3, Some(execution.id)));
    assert_eq!(artifact.data, declared.data);
    assert_eq!(store.get_artifact(artifact.id).await.unwrap(), artifact);
    assert_unknown_reference(store.create_artifact(&new_artifact("lost", Some(i64::MAX))).await);
}

async fn lists_artifacts_newest_first_by_execution(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let first = store.create_artifact(&new_artifact("first", Some(execution.id))).await.unwrap();
    let unrelated = store.create_artifact(&new_artifact("unrelated", None)).await.unwrap();
    let second = store.create_artifact(&new_artifact("second", Some(execution.id))).await.unwrap();

    let of_execution = store.list_artifacts(Some(execution.id), all()).await.unwrap();
    assert_eq!((of_execution.total, ids(&of_execution.items, |a| a.id)), (2, vec![second.id, first.id]));
    let every_artifact = store.list_artifacts(None, page(1, 2)).await.unwrap();
    assert_eq!((every_artifact.total, ids(&every_artifact.items, |a| a.id)), (3, vec![second.id, unrelated.id]));
}

async fn deletes_an_artifact(store: &TestStore) {
    let artifact = store.create_artifact(&new_artifact("report", None)).await.unwrap();
    store.delete_artifact(artifact.id).await.unwrap();
    assert_not_found(store.get_artifact(artifact.id).await);
    assert_not_found(store.delete_artifact(artifact.id).await);
}

async fn a_file_artifact_keeps_its_bytes_until_it_is_deleted(store: &TestStore) {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let file = store
        .create_artifact(&NewArtifact { content: Some(bytes.clone()), ..new_artifact("blob.bin", None) })
        .await
        .unwrap();
    let link = store.create_artifact(&new_artifact("docs", None)).await.unwrap();
    assert_eq!(store.artifact_content(file.id).await.unwrap(), bytes, "every byte, binary included");
    assert_not_found(store.artifact_content(link.id).await);
    assert_not_found(store.artifact_content(i64::MAX).await);

    store.delete_artifact(file.id).await.unwrap();
    assert_not_found(store.artifact_content(file.id).await);
}

async fn a_file_artifact_in_the_directory_is_named_until_it_is_deleted(store: &TestStore) {
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    let named = |name: &str, digest: &str| NewArtifact { file: Some(digest.to_owned()), ..new_artifact(name, None) };
    let first = store.create_artifact(&named("one.csv", &a)).await.unwrap();
    let second = store.create_artifact(&named("two.csv", &a)).await.unwrap();
    let other = store.create_artifact(&named("three.csv", &b)).await.unwrap();
    let in_store =
        store.create_artifact(&NewArtifact { content: Some(vec![1]), ..new_artifact("x", None) }).await.unwrap();
    assert_eq!(store.artifact_file(first.id).await.unwrap(), a);
    assert_not_found(store.artifact_file(in_store.id).await);
    assert_not_found(store.artifact_content(first.id).await);

    let in_use = |digests: Vec<String>| async move {
        let mut found = store.artifact_files_in_use(&digests).await.unwrap();
        found.sort();
        found
    };
    let c = "c".repeat(64);
    assert_eq!(in_use(vec![a.clone(), b.clone(), c.clone()]).await, [a.clone(), b.clone()]);
    assert_eq!(in_use(Vec::new()).await, Vec::<String>::new());
    store.delete_artifact(first.id).await.unwrap();
    assert_eq!(in_use(vec![a.clone()]).await, std::slice::from_ref(&a), "the second still names it");
    store.delete_artifact(second.id).await.unwrap();
    store.delete_artifact(other.id).await.unwrap();
    assert_eq!(in_use(vec![a, b, c]).await, Vec::<String>::new());
}

async fn the_backlog_counts_work_accepted_and_not_yet_taken_up(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_eq!(store.backlog().await.unwrap(), 0);
    let waiting = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let processed = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    store.mark_event_processed(processed.id).await.unwrap();
    assert_eq!(store.backlog().await.unwrap(), 1, "the unprocessed event");

    // One execution in each status along the way: requested, scheduling and scheduled
    // count; running, ended and held ones do not.
    use ExecutionStatus::*;
    let paths: &[&[ExecutionStatus]] = &[
        &[],
        &[Scheduling],
        &[Scheduling, Scheduled],
        &[Scheduling, Scheduled, Running],
        &[Scheduling, Scheduled, Running, Completed],
        &[Scheduling, Queued],
    ];
    for path in paths {
        let mut status = Requested;
        let id = store.create_execution(&new_execution("sample.notify")).await.unwrap().id;
        for next in *path {
            store.transition_execution(id, &[status], *next, &ExecutionPatch::default()).await.unwrap().unwrap();
            status = *next;
        }
    }
    let mut delayed = new_execution("sample.notify");
    delayed.run_after = Some(now() + chrono::Duration::hours(1));
    store.create_execution(&delayed).await.unwrap();
    assert_eq!(store.backlog().await.unwrap(), 1 + 3);
    store.mark_event_processed(waiting.id).await.unwrap();
    assert_eq!(store.backlog().await.unwrap(), 3);
}
